using ActorTrain.Testing;
using System.Diagnostics;
using System.Net.Sockets;
using ActorTrain.Cmd.Client;
using ActorTrain.Cmd.Host;
using ActorTrain.Cmd.Wire;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cmd.Tests;

public sealed class CommandHostTests
{
    [Fact]
    public async Task Cluster_show_prints_petabridges_format_one_member_per_line_then_the_count()
    {
        await using var node = await OneNodeHost.StartAsync();
        var show = await Pbm.RunAsync(node.Address, "cluster", "show");
        Assert.True(show.ExitCode == 0, show.Errors);
        string self = Akka.Cluster.Cluster.Get(node.System).SelfAddress.ToString();
        Assert.Equal([$"{self} | [coordinator] | up |  | {Akka.Cluster.Cluster.Get(node.System).SelfMember.AppVersion}", "Count: 1 nodes"],
            show.Output.TrimEnd().Split('\n'));
        var json = await Pbm.RunAsync(node.Address, "cluster", "show", "--json");
        Assert.Contains($"\"address\":\"{self}\"", json.Output);
        var stats = await Pbm.RunAsync(node.Address, "actor", "system");
        Assert.Contains($"cmdtest at {self}", stats.Output);
    }

    [Fact]
    public async Task Mistakes_and_failures_have_their_own_exit_codes_and_say_what_was_wrong()
    {
        await using var node = await OneNodeHost.StartAsync();
        var usage = await Pbm.RunAsync(node.Address, "cluster", "shw");
        Assert.Equal((PbmApp.UsageError, "pbm: unknown command 'cluster shw'; commands: show, status, leader, leave, down, down-unreachable, join, tail\n"), (usage.ExitCode, usage.Errors));
        var missing = await Pbm.RunAsync(node.Address, "cluster", "down");
        Assert.Equal(PbmApp.UsageError, missing.ExitCode);
        Assert.Contains("--address is required", missing.Errors);
        var failed = await Pbm.RunAsync(node.Address, "cluster", "down", "-a", "akka.tcp://cmdtest@127.0.0.1:1");
        Assert.Equal((PbmApp.Failed, "pbm: akka.tcp://cmdtest@127.0.0.1:1 is not a member of this cluster\n"), (failed.ExitCode, failed.Errors));
        var notAnAddress = await Pbm.RunAsync(node.Address, "cluster", "down", "-a", "notanaddress");
        Assert.Equal((PbmApp.UsageError, "pbm: -a/--address 'notanaddress' is not an address like akka.tcp://actortrain@127.0.0.1:4053\n"), (notAnAddress.ExitCode, notAnAddress.Errors));
        var join = await Pbm.RunAsync(node.Address, "cluster", "join", "-a", "akka.tcp://cmdtest@127.0.0.1:1");
        Assert.Equal((PbmApp.Failed, "pbm: this node is already a member (up) of a cluster, and a member cannot join another: leave it first\n"), (join.ExitCode, join.Errors));
        var otherSystem = await Pbm.RunAsync(node.Address, "cluster", "join", "-a", "akka.tcp://other@127.0.0.1:1");
        Assert.Equal(PbmApp.Failed, otherSystem.ExitCode);
        Assert.Contains("names actor system 'other'; this node's is 'cmdtest'", otherSystem.Errors);
        var region = await Pbm.RunAsync(node.Address, "cluster-sharding", "region-stats", "-r", "nothing");
        Assert.Equal(PbmApp.Failed, region.ExitCode);
        Assert.Contains("no region 'nothing' on this node", region.Errors);
        // A value only the node can check is a usage error all the same.
        var depth = await Pbm.RunAsync(node.Address, "actor", "hierarchy", "--depth", "11");
        Assert.Equal((PbmApp.UsageError, "pbm: --depth must be 1 to 10\n"), (depth.ExitCode, depth.Errors));
        // A port that is none is refused before anything connects; --token may come before the address.
        var port = await Pbm.RunAsync("127.0.0.1:70000", "cluster", "show");
        Assert.Equal((PbmApp.UsageError, "pbm: 127.0.0.1:70000: 70000 is not a port number (1-65535)\n"), (port.ExitCode, port.Errors));
        var tokenFirst = await Pbm.RunAsync("--token", "unused", node.Address, "cluster", "leader");
        Assert.True(tokenFirst.ExitCode == 0, tokenFirst.Errors);
        // A command line larger than a frame is refused by name, not with a stack trace.
        var huge = await Pbm.RunAsync(node.Address, "actor", "hierarchy", "--start", "/" + new string('a', 2 << 20));
        Assert.Equal(PbmApp.UsageError, huge.ExitCode);
        Assert.Contains("a command takes at most 1024 KiB", huge.Errors);
        // A script ends with its last command's code, as a shell's does.
        var script = await Pbm.RunWithInputAsync("cluster leader\nactor hierarchy --depth 0\n", node.Address);
        Assert.Equal(PbmApp.UsageError, script.ExitCode);
    }

    [Fact]
    public async Task An_output_larger_than_a_frame_arrives_whole()
    {
        string large = string.Concat(Enumerable.Range(0, 60_000).Select(i => $"line {i:D6} of a long log with its stack trace \u00e9\ud83d\ude00\n")) + "end";
        await using var node = await OneNodeHost.StartAsync(extra: [new EchoPalette(large)]);
        var echo = await Pbm.RunAsync(node.Address, "echo", "large");
        Assert.True(echo.ExitCode == 0, echo.Errors);
        Assert.True(large.Length > 2 << 20, "the text must take several frames");
        Assert.Equal(large + "\n", echo.Output);
    }

    // Writes one text, whatever its size, in one piece of output.
    private sealed class EchoPalette(string text) : ActorTrain.Cmd.Palettes.PaletteHandler
    {
        public override ActorTrain.Cmd.Palettes.PaletteDefinition Definition { get; } = new("echo", "Writes a text.", [new("large", "Writes the text.", [])]);

        public override Task ExecuteAsync(ActorTrain.Cmd.Palettes.ParsedCommand command, ActorTrain.Cmd.Palettes.ICommandOutput output, CancellationToken cancellationToken) =>
            output.WriteAsync(text);
    }

    [Fact]
    public async Task Actor_hierarchy_lists_the_tree_under_a_path_in_order_to_the_depth_asked()
    {
        await using var node = await OneNodeHost.StartAsync();
        node.System.ActorOf(Akka.Actor.Props.Create(() => new Parent(new[] { "b/leaf", "a/x", "a/y/deep" })), "tree");
        // ActorOf returns before the tree's children exist: a CI run listed "no actors under /user/tree" when asked at once.
        foreach (string path in new[] { "/user/tree/a/y/deep", "/user/tree/a/x", "/user/tree/b/leaf" })
            await Eventually.Until(async () => await Exists(path), exists => exists, TimeSpan.FromSeconds(10), path);
        async Task<bool> Exists(string path)
        {
            var identity = await Akka.Actor.Futures.Ask<Akka.Actor.ActorIdentity>(node.System.ActorSelection(path), new Akka.Actor.Identify(path), TimeSpan.FromSeconds(3));
            return identity.Subject is not null;
        }
        var shown = await Pbm.RunAsync(node.Address, "actor", "hierarchy", "-s", "/user/tree", "-d", "2");
        Assert.True(shown.ExitCode == 0, shown.Errors);
        Assert.Equal(["  /user/tree/a", "    /user/tree/a/x", "    /user/tree/a/y", "  /user/tree/b", "    /user/tree/b/leaf"], shown.Output.TrimEnd().Split('\n'));
    }

    // Creates the children of each "a/b/c" path below itself.
    private sealed class Parent : Akka.Actor.ReceiveActor
    {
        public Parent(IEnumerable<string> paths)
        {
            foreach (var group in paths.Select(p => p.Split('/', 2)).GroupBy(p => p[0]))
            {
                var below = group.Where(p => p.Length > 1).Select(p => p[1]).ToArray();
                Context.ActorOf(Akka.Actor.Props.Create(() => new Parent(below)), group.Key);
            }
        }
    }

    [Fact]
    public async Task An_unreachable_node_fails_fast_naming_the_address()
    {
        int port;
        using (var probe = new TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var clock = Stopwatch.StartNew();
        var outcome = await Pbm.RunAsync($"127.0.0.1:{port}", "cluster", "show");
        Assert.Equal(PbmApp.Unreachable, outcome.ExitCode);
        Assert.StartsWith($"pbm: cannot reach 127.0.0.1:{port}", outcome.Errors);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"took {clock.Elapsed}");

        // pbm's own mistakes are found before any connection: an unknown option is a usage error, not "cannot reach".
        var unknown = await Pbm.RunAsync($"127.0.0.1:{port}", "--verbose", "cluster", "show");
        Assert.Equal(PbmApp.UsageError, unknown.ExitCode);
        Assert.StartsWith($"pbm: unknown option '--verbose'\n{PbmApp.Usage}", unknown.Errors);
        var help = await Pbm.RunAsync("--help");
        Assert.Equal((0, PbmApp.Usage + "\n"), (help.ExitCode, help.Output));
    }

    [Fact]
    public async Task A_host_with_a_token_refuses_a_missing_or_wrong_one_before_anything_runs()
    {
        await using var node = await OneNodeHost.StartAsync(token: "s3cret");
        var none = await Pbm.RunAsync(node.Address, "cluster", "leave");
        Assert.Equal((PbmApp.Unreachable, $"pbm: {node.Address} refused the connection: this node requires a token (--token or PBM_TOKEN)\n"), (none.ExitCode, none.Errors));
        var wrong = await Pbm.RunAsync(node.Address, "--token", "guess", "cluster", "leave");
        Assert.Equal((PbmApp.Unreachable, $"pbm: {node.Address} refused the connection: wrong token\n"), (wrong.ExitCode, wrong.Errors));
        Assert.Equal(Akka.Cluster.MemberStatus.Up, Akka.Cluster.Cluster.Get(node.System).SelfMember.Status); // nothing ran
        var right = await Pbm.RunAsync(node.Address, "--token", "s3cret", "cluster", "leader");
        Assert.Equal(0, right.ExitCode);
    }

    [Fact]
    public void A_host_on_a_non_loopback_address_needs_a_token()
    {
        var config = ConfigurationFactory.ParseString("actortrain.cmd { host = \"0.0.0.0\", port = 9110, token = \"\", token-file = \"\" }");
        Assert.Contains("is not loopback: set actortrain.cmd.token", Assert.Throws<ConfigurationException>(() => CommandHostSettings.From(config)).Message);
        var withToken = ConfigurationFactory.ParseString("actortrain.cmd { host = \"0.0.0.0\", port = 0, token = \"t\", token-file = \"\" }");
        Assert.Equal("t", CommandHostSettings.From(withToken).Token);
    }

    [Fact]
    public async Task Tail_streams_events_until_the_client_cancels_and_the_command_ends_cleanly()
    {
        await using var node = await OneNodeHost.StartAsync();
        await using var connection = await PbmConnection.OpenAsync("127.0.0.1", node.Host.Endpoint.Port, null);
        using var cancel = new CancellationTokenSource();
        var lines = new List<string>();
        var (ok, _, _) = await connection.ExecuteAsync(["cluster", "tail"], line =>
        {
            lines.Add(line);
            cancel.Cancel(); // Ctrl+C after the first event
        }, cancel.Token).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(ok);
        Assert.Contains("MemberUp", lines[0]);
        var after = await connection.ExecuteAsync(["cluster", "leader"], _ => { }); // the connection still serves
        Assert.True(after.Ok);
    }

    [Fact]
    public async Task A_cancel_that_crosses_its_commands_end_leaves_the_session_serving()
    {
        await using var node = await OneNodeHost.StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", node.Host.Endpoint.Port);
        var channel = new FrameChannel(client.GetStream());
        await channel.WriteAsync(new Hello(null, "test"));
        Assert.IsType<Welcome>(await channel.ReadAsync(CancellationToken.None));
        // Short commands each cancelled as it is sent: some cancels arrive as the command ends, some after its end.
        const int commands = 400;
        for (long id = 1; id <= commands; id++)
        {
            await channel.WriteAsync(new Execute(id, ["cluster", "leader"]));
            await channel.WriteAsync(new Cancel(id));
        }
        var ended = new HashSet<long>();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (ended.Count < commands)
        {
            var message = await channel.ReadAsync(wait.Token);
            Assert.True(message is End or Output, $"after {ended.Count} ends: {message}");
            if (message is End end) ended.Add(end.Id);
        }
        await channel.WriteAsync(new Execute(commands + 1, ["cluster", "leader"]));
        CmdMessage? last;
        do last = await channel.ReadAsync(wait.Token); while (last is Output);
        Assert.Equal(new End(commands + 1, true, null), last);
    }

    [Fact]
    public async Task The_interactive_prompt_runs_commands_shows_help_and_history()
    {
        await using var node = await OneNodeHost.StartAsync();
        var session = await Pbm.RunWithInputAsync("help\nhelp cluster\ncluster leader\nclustr show\nhistory\nexit\n", node.Address);
        Assert.Equal(0, session.ExitCode);
        Assert.Contains($"[{node.Address}] pbm> ", session.Output);
        Assert.Contains("cluster-sharding", session.Output);
        Assert.Contains("cluster down -a|--address ADDRESS [--json]", session.Output);
        Assert.Contains("unknown palette 'clustr'", session.Errors);
        Assert.Contains("   3  cluster leader", session.Output);
    }

    [Fact]
    public async Task Garbage_on_the_port_closes_only_that_connection_and_the_host_keeps_serving()
    {
        await using var node = await OneNodeHost.StartAsync();
        var random = new Random(20261129);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        int attacks = 0;
        while (DateTime.UtcNow < deadline)
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", node.Host.Endpoint.Port);
            var stream = client.GetStream();
            byte[] garbage = new byte[random.Next(1, 4096)];
            random.NextBytes(garbage);
            if (attacks % 3 == 1) garbage[0] = 0; // a plausible length prefix
            if (attacks % 3 == 2) await new FrameChannel(stream).WriteAsync(new Hello(null, "fuzz"));
            try
            {
                await stream.WriteAsync(garbage);
                var answer = new byte[1 << 16];
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                while (await stream.ReadAsync(answer, wait.Token) > 0) { } // the host hangs up (after a ProtocolError)
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // reset by the host, or it waits for more bytes of a frame that never comes: either way only this connection
            }
            attacks++;
            var healthy = await Pbm.RunAsync(node.Address, "cluster", "status");
            Assert.True(healthy.ExitCode == 0, $"after {attacks} bad connections: {healthy.Errors}");
        }
        Assert.True(attacks > 3);
    }
}
