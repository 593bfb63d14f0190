using System.Collections.Immutable;
using System.ComponentModel;
using System.Runtime.InteropServices;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Node.Configuration;
using ActorTrain.Node.LocalCluster;
using ActorTrain.Processes;
using Akka.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActorTrain.Node.Commands;

/// <summary>
/// `actortrain local-cluster`: N `actortrain node` processes on loopback sharing one journal (and a
/// private PostgreSQL when asked), their lines forwarded with the node's name, until SIGTERM or
/// Ctrl+C, when every node leaves gracefully and nothing is left running.
/// </summary>
public sealed class LocalClusterCommand(IAnsiConsole console, ErrorOutput errors) : AsyncCommand<LocalClusterCommand.Settings>
{
    private static readonly TimeSpan UpPatience = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan LeavePatience = TimeSpan.FromSeconds(30);

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--nodes <N>")]
        [Description("How many nodes (1-16), each with the roles data, trainer and coordinator. Default 3.")]
        public int Nodes { get; init; } = 3;

        [CommandOption("--db <DB>")]
        [Description("The journal every node shares: sqlite (a file in the data directory, kept), postgres (a private server for this launch, deleted when it stops), or sqlite:PATH / postgres:CONNECTION_STRING. Default sqlite.")]
        public string Db { get; init; } = "sqlite";

        [CommandOption("--devices-per-node <LIST>")]
        [Description("--devices of every node: cpu:N and/or cuda:I,... Default cpu:1.")]
        public string Devices { get; init; } = "cpu:1";

        [CommandOption("--data-dir <DIR>")]
        [Description("Data directory shared by the nodes (datasets, runs, the SQLite journal). Default: $XDG_DATA_HOME/actortrain.")]
        public string? DataDir { get; init; }

        [CommandOption("--port <N>")]
        [Description("Remoting port of the first node; the others count up from it. Default 4053.")]
        public int Port { get; init; } = 4053;

        [CommandOption("--cmd-port <N>")]
        [Description("pbm port of the first node, the others count up; 0: each picks a free one. Default 9110.")]
        public int CommandPort { get; init; } = 9110;

        [CommandOption("--metrics-port <N>")]
        [Description("Prometheus port of the first node, the others count up; 0: none. Default 9464.")]
        public int MetricsPort { get; init; } = 9464;

        [CommandOption("--config <PROFILE_OR_FILE>")]
        [Description("--config of every node (repeatable). Default local: loopback failure detection in seconds.")]
        public string[] Config { get; init; } = [];

        public override ValidationResult Validate()
        {
            if (Nodes is < 1 or > LocalClusterPlan.MaxNodes) return ValidationResult.Error($"--nodes {Nodes}: between 1 and {LocalClusterPlan.MaxNodes}");
            foreach ((string option, int first, bool zeroAllowed) in (ReadOnlySpan<(string, int, bool)>)
                     [("--port", Port, false), ("--cmd-port", CommandPort, true), ("--metrics-port", MetricsPort, true)])
            {
                if (first == 0 && zeroAllowed) continue;
                if (first < 1 || first + Nodes - 1 > 65535) return ValidationResult.Error($"{option} {first}: the ports {first}..{first + Nodes - 1} are not all port numbers");
            }
            if (OperatorConfiguration.FirstMissing(Config) is { } missing) return ValidationResult.Error(missing);
            if (Db is not ("sqlite" or "postgres"))
            {
                try
                {
                    JournalTarget.Parse(Db);
                }
                catch (ArgumentException e)
                {
                    return ValidationResult.Error($"--db: {e.Message} (or just sqlite / postgres)");
                }
            }
            try
            {
                if (ActorTrain.Cluster.Training.NodeDevices.Parse(Devices).NotOfferedHere is { } notOffered)
                    return ValidationResult.Error($"--devices-per-node: {notOffered}");
            }
            catch (FormatException e)
            {
                return ValidationResult.Error($"--devices-per-node: {e.Message}");
            }
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string[] profiles = settings.Config.Length == 0 ? ["local"] : settings.Config;
        string dataDirectory;
        try
        {
            // The same checks a node makes, once, before anything starts.
            dataDirectory = NodeDataDirectory.Resolve(OperatorConfiguration.Effective(OperatorConfiguration.Layers(profiles, settings.DataDir)));
            Directory.CreateDirectory(dataDirectory);
        }
        catch (Exception e) when (e is ConfigurationException or IOException or UnauthorizedAccessException)
        {
            errors.Line("local-cluster", e.Message);
            return 1;
        }
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        var lines = console.Profile.Out.Writer;

        PrivatePostgres? database = null;
        string journal;
        try
        {
            (journal, database) = await JournalAsync(settings.Db, dataDirectory, lines);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or Npgsql.NpgsqlException)
        {
            errors.Line("local-cluster", $"the private PostgreSQL server did not start: {e.Message}");
            return 1;
        }
        try
        {
            var plan = LocalClusterPlan.For(settings.Nodes, settings.Port, settings.CommandPort, settings.MetricsPort,
                settings.Devices, journal, dataDirectory, profiles);
            // Kept as each starts: a node that fails to start must not leave the ones before it running.
            var started = new List<ChildNode>();
            try
            {
                foreach (var node in plan) started.Add(ChildNode.Start(node, lines));
                return await RunAsync([.. started], journal, lines, stopping.Token);
            }
            finally
            {
                await StopAllAsync([.. started], lines);
                foreach (var node in started) node.Dispose();
            }
        }
        finally
        {
            if (database is not null)
            {
                await database.DisposeAsync();
                Say(lines, "private PostgreSQL stopped and deleted");
            }
            Say(lines, "local cluster stopped");
        }

        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true; // the nodes leave first; the launcher exits when they are gone
            stopping.Cancel();
        }
    }

    // Waits for every node to be Up, prints where each is, then runs until asked to stop.
    private async Task<int> RunAsync(ImmutableArray<ChildNode> nodes, string journal, TextWriter lines, CancellationToken stopping)
    {
        var allUp = Task.WhenAll(nodes.Select(node => node.Ready));
        var finished = await Task.WhenAny(allUp, Task.Delay(UpPatience, stopping));
        if (finished != allUp)
        {
            if (stopping.IsCancellationRequested) return 0;
            errors.Line("local-cluster", $"not every node was up within {UpPatience.TotalSeconds:0}s: {string.Join(", ", nodes.Where(n => !n.Ready.IsCompleted).Select(n => n.Plan.Name))}");
            return 1;
        }
        if (allUp.IsFaulted)
        {
            errors.Line("local-cluster", allUp.Exception!.InnerExceptions[0].Message);
            return 1;
        }
        lock (lines)
        {
            lines.WriteLine($"journal: {JournalTarget.Parse(journal).Describe()}");
            foreach (var node in nodes)
                lines.WriteLine($"{node.Plan.Name}: akka.tcp://actortrain@127.0.0.1:{node.Plan.Port} pbm {node.Ready.Result}" +
                                $"{(node.MetricsUrl is { } url ? $" metrics {url}" : "")} pid {node.ProcessId}");
            // What it takes to start a node again by hand after it died (the launcher does not restart nodes).
            foreach (var node in nodes) lines.WriteLine($"{node.Plan.Name} command: actortrain {string.Join(' ', Masked(node.Plan.Arguments).Select(ShellWord))}");
            lines.WriteLine($"local cluster up: {nodes.Length} node(s); try: pbm {nodes[0].Ready.Result} cluster show");
            lines.Flush();
        }
        // Nodes that die are reported by their own lines and exit code; the launcher stays for the rest.
        foreach (var node in nodes)
            _ = node.WaitForExitAsync(Timeout.InfiniteTimeSpan).ContinueWith(_ =>
            {
                if (!stopping.IsCancellationRequested) Say(lines, $"{node.Plan.Name} exited with code {node.ExitCode}");
            }, TaskScheduler.Default);
        await Task.Delay(Timeout.Infinite, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }

    // The youngest nodes leave together, then the oldest alone: it hosts the shard coordinators, and when
    // every node leaves at once their hand-over has nowhere to go and each waits out its exiting timeout.
    private static async Task StopAllAsync(ImmutableArray<ChildNode> nodes, TextWriter lines)
    {
        if (nodes.Any(node => !node.HasExited)) Say(lines, $"stopping {nodes.Count(node => !node.HasExited)} node(s): cluster leave first");
        await StopAsync(nodes.Skip(1).ToList(), lines);
        await StopAsync(nodes.Take(1).ToList(), lines);
    }

    // SIGTERM (each leaves the cluster), SIGKILL for any still there after the patience.
    private static async Task StopAsync(List<ChildNode> nodes, TextWriter lines)
    {
        var leaving = nodes.Where(node => node.Terminate()).ToList();
        var exited = await Task.WhenAll(leaving.Select(node => node.WaitForExitAsync(LeavePatience)));
        foreach ((var node, bool gone) in leaving.Zip(exited))
        {
            if (gone) continue;
            Say(lines, $"{node.Plan.Name} did not leave within {LeavePatience.TotalSeconds:0}s: killed");
            node.KillNow();
            await node.WaitForExitAsync(LeavePatience);
        }
    }

    private static async Task<(string Journal, PrivatePostgres? Server)> JournalAsync(string db, string dataDirectory, TextWriter lines)
    {
        switch (db)
        {
            case "sqlite":
                return ($"sqlite:{Path.Combine(dataDirectory, "local-cluster.db")}", null);
            case "postgres":
                var server = await PrivatePostgres.StartAsync();
                try
                {
                    string connection = await server.CreateDatabaseAsync("actortrain");
                    Say(lines, $"private PostgreSQL: port {server.Port}, data {server.Root}, server pid {server.ProcessId}");
                    return ($"postgres:{connection}", server);
                }
                catch
                {
                    await server.DisposeAsync();
                    throw;
                }
            default:
                return (db, null);
        }
    }

    // One argument as a POSIX shell reads it back.
    // The journal's password is not printed (the private PostgreSQL has none; a --db given may).
    private static IEnumerable<string> Masked(IReadOnlyList<string> arguments) =>
        arguments.Select((argument, i) => i > 0 && arguments[i - 1] == "--db" ? JournalTarget.Parse(argument).Describe() : argument);

    private static string ShellWord(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:,=@+".Contains(c)) ? argument : $"'{argument.Replace("'", "'\\''")}'";

    private static void Say(TextWriter lines, string line)
    {
        lock (lines)
        {
            lines.WriteLine($"[local-cluster] {line}");
            lines.Flush();
        }
    }
}
