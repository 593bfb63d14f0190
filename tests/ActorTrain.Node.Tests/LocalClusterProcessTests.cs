using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using ActorTrain.Chaos;
using ActorTrain.Processes;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>`actortrain local-cluster` as an operator runs it: real node processes, a private PostgreSQL, SIGTERM.</summary>
public sealed partial class LocalClusterProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);

    [PostgresFact]
    public async Task Three_nodes_form_a_cluster_on_a_private_postgres_and_sigterm_leaves_nothing_running()
    {
        using var data = new TemporaryDirectory("actortrain-local-cluster-");
        await using var launcher = await Launcher.UpAsync(data.Path, nodes: 3);
        string text = launcher.Text();
        var nodes = NodeLine().Matches(text).Select(m => (Name: m.Groups[1].Value, Pbm: m.Groups[2].Value, Pid: int.Parse(m.Groups[3].Value))).ToList();
        Assert.Equal(["node-1", "node-2", "node-3"], nodes.Select(n => n.Name));
        var database = DatabaseLine().Match(text);
        Assert.True(database.Success, text);
        int postgresPid = int.Parse(database.Groups[2].Value);
        Assert.True(IsRunning(postgresPid));
        // Every node's own lines come through, named.
        Assert.Contains("[node-3] node up: akka.tcp://actortrain@127.0.0.1:", text);

        await PbmCommand.ShowWhenUpAsync(nodes[1].Pbm, members: 3);

        // An ingest job whose plan (~100 bytes per file) is far over Akka's default 128 KB frame, across the nodes.
        string corpus = Corpus(data.Combine("corpus-with-rather-long-directory-names-as-real-trees-have"), files: 2000);
        await PbmCommand.OkAsync(nodes[0].Pbm, "data", "ingest", "-j", "wide", "-s", corpus, "--shards", "3");
        var status = await Eventually.Until(() => PbmCommand.OkAsync(nodes[2].Pbm, "data", "status", "-j", "wide"),
            s => s.StartsWith("wide | completed", StringComparison.Ordinal), Patience, "the ingest on three nodes", TimeSpan.FromSeconds(1));
        Assert.Contains("of 2000 documents kept", status);
        // Nodes that joined together start sharding before they are Up, so coordinators do not wait out writes (5 s
        // each) to a node whose replicator is not there yet. Before, all six coordinators did on every start. A node
        // that the machine's load makes late can still hold up a few (seen once in a whole-suite run on 2 cores):
        // only all of them stalling is the old fault.
        string[] stalled = [.. launcher.Text().Split('\n').Where(line => line.Contains("unable to update a distributed state", StringComparison.Ordinal))];
        int coordinators = stalled.Select(line => Regex.Match(line, @"/system/sharding/([^/]+)Coordinator/").Groups[1].Value).Distinct().Count();
        Assert.True(coordinators < 6, string.Join('\n', stalled));

        ProcessSignals.Terminate(launcher.Process);
        using (var exit = new CancellationTokenSource(Patience)) await launcher.Process.WaitForExitAsync(exit.Token);
        Assert.True(launcher.Process.ExitCode == 0, launcher.Text());
        Assert.All(nodes, node => Assert.False(IsRunning(node.Pid), $"{node.Name} (pid {node.Pid}) is still running"));
        Assert.False(IsRunning(postgresPid), "the private PostgreSQL is still running");
        Assert.False(Directory.Exists(database.Groups[1].Value), "the private PostgreSQL's directory is left behind");
        Assert.Equal(3, Regex.Matches(launcher.Text(), @"^\[node-\d\] node stopped$", RegexOptions.Multiline).Count);
        Assert.DoesNotContain("killed", launcher.Text());
    }

    // SIGKILL (or a closed terminal) gives the launcher no chance to stop anything: its nodes see their standard input
    // end and leave on their own, and the private PostgreSQL's reaper stops the server and deletes its directory.
    [PostgresFact]
    public async Task A_launcher_killed_outright_leaves_no_node_and_no_postgres_behind()
    {
        using var data = new TemporaryDirectory("actortrain-local-cluster-");
        await using var launcher = await Launcher.UpAsync(data.Path, nodes: 2);
        string text = launcher.Text();
        int[] nodes = [.. NodeLine().Matches(text).Select(m => int.Parse(m.Groups[3].Value))];
        var database = DatabaseLine().Match(text);
        Assert.True(database.Success, text);
        Assert.Equal(2, nodes.Length);

        launcher.Process.Kill(entireProcessTree: false);
        await Eventually.Until(() => Task.FromResult(nodes.Count(IsRunning)), running => running == 0, Patience, "the nodes to leave after their launcher died");
        int postgresPid = int.Parse(database.Groups[2].Value);
        await Eventually.Until(() => Task.FromResult(IsRunning(postgresPid) || Directory.Exists(database.Groups[1].Value)), left => !left, Patience,
            "the private PostgreSQL to be stopped and deleted after its owner died");
    }

    // `actortrain local-cluster` as a child of the test, its lines collected; killed with its tree if a test leaves it running.
    private sealed class Launcher : IAsyncDisposable
    {
        private readonly StringBuilder output = new();
        private readonly TaskCompletionSource up = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Launcher(Process process) => Process = process;

        public Process Process { get; }

        /// <summary>Starts a launcher of a private PostgreSQL and <paramref name="nodes"/> nodes, and waits until it says every node is up.</summary>
        public static async Task<Launcher> UpAsync(string dataDirectory, int nodes)
        {
            var launcher = Start(dataDirectory, nodes);
            try
            {
                await launcher.up.Task.WaitAsync(Patience);
                return launcher;
            }
            catch
            {
                await launcher.DisposeAsync();
                throw;
            }
        }

        private static Launcher Start(string dataDirectory, int nodes)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in (string[])[Path.Combine(AppContext.BaseDirectory, "actortrain.dll"), "local-cluster", "--nodes", nodes.ToString(), "--db", "postgres",
                         "--data-dir", dataDirectory, "--port", NodeProcess.FreePort().ToString(), "--cmd-port", "0", "--metrics-port", "0"])
                start.ArgumentList.Add(argument);
            var launcher = new Launcher(new Process { StartInfo = start });
            launcher.Process.OutputDataReceived += (_, line) => launcher.Record(line.Data);
            launcher.Process.ErrorDataReceived += (_, line) => launcher.Record(line.Data);
            launcher.Process.Start();
            launcher.Process.BeginOutputReadLine();
            launcher.Process.BeginErrorReadLine();
            return launcher;
        }

        public string Text()
        {
            lock (output) return output.ToString();
        }

        private void Record(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            if (line.StartsWith("local cluster up:", StringComparison.Ordinal)) up.TrySetResult();
        }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
            Process.Dispose();
        }
    }

    [Theory]
    [InlineData("--nodes", "0", "--nodes 0: between 1 and 16")]
    [InlineData("--db", "mysql", "--db: 'mysql' names no journal")]
    [InlineData("--devices-per-node", "tpu:1", "--devices-per-node:")]
    [InlineData("--devices-per-node", "cuda:0", "--devices-per-node: cuda:0: this build trains on CPU slots only")]
    [InlineData("--port", "65535", "--port 65535: the ports 65535..65537 are not all port numbers")]
    public async Task A_bad_option_is_a_usage_error_naming_it(string option, string value, string problem)
    {
        var outcome = await CommandLine.RunInProcessAsync("local-cluster", option, value);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(problem, outcome.Output);
    }

    private static string Corpus(string directory, int files)
    {
        Directory.CreateDirectory(directory);
        for (int i = 0; i < files; i++)
            File.WriteAllText(Path.Combine(directory, $"document-number-{i:D5}-with-a-descriptive-file-name.txt"),
                $"Document {i} tells of river {i % 97}, mountain {i % 89} and the village of {i * 7919 % 10007}.\n" +
                string.Join(' ', Enumerable.Range(0, 40).Select(w => $"word{(i * 31 + w * 17) % 5003}")) + ".\n");
        return directory;
    }

    // A zombie (exited, not yet reaped by a parent that is gone) counts as not running.
    private static bool IsRunning(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal);

    [GeneratedRegex(@"^(node-\d+): akka\.tcp://\S+ pbm (\S+) pid (\d+)$", RegexOptions.Multiline)]
    private static partial Regex NodeLine();

    [GeneratedRegex(@"private PostgreSQL: port \d+, data (\S+), server pid (\d+)$", RegexOptions.Multiline)]
    private static partial Regex DatabaseLine();
}
