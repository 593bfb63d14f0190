using System.Collections.Immutable;
using System.ComponentModel;
using System.Runtime.InteropServices;
using ActorTrain.Cluster;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Cluster.Training;
using ActorTrain.Cmd.Host;
using ActorTrain.Cmd.Palettes;
using ActorTrain.Cmd.Palettes.Builtin;
using ActorTrain.Node.Cmd;
using ActorTrain.Node.Configuration;
using ActorTrain.Node.Logging;
using ActorTrain.Processes;
using Akka.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActorTrain.Node.Commands;

/// <summary>
/// `actortrain node`: one node of a real cluster, until SIGTERM or Ctrl+C, when it leaves the cluster
/// gracefully (its shards hand off to the other nodes) and exits 0.
/// </summary>
public sealed class NodeCommand(IAnsiConsole console, ErrorOutput errors) : AsyncCommand<NodeCommand.Settings>
{
    private static readonly TimeSpan JoinPatience = TimeSpan.FromSeconds(60);

    /// <summary>The exit code of a node the cluster downed (0: stopped by a signal, or removed by a leave).</summary>
    public const int DownedExitCode = 3;
    private static readonly string[] KnownRoles = ["data", "trainer", "coordinator"];

    /// <summary>The hidden option local-cluster starts its nodes with.</summary>
    public const string StopWithParentOption = "--stop-with-parent";

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--host <ADDRESS>")]
        [Description("Address other nodes reach this one at (and it listens on). Default 127.0.0.1.")]
        public string Host { get; init; } = "127.0.0.1";

        [CommandOption("--port <N>")]
        [Description("Akka remoting port; 0 picks a free one. Default 4053.")]
        public int Port { get; init; } = 4053;

        [CommandOption("--seed <HOST:PORT>")]
        [Description("A seed node to join (repeatable). None: this node founds the cluster.")]
        public string[] Seeds { get; init; } = [];

        [CommandOption("--roles <LIST>")]
        [Description("Comma-separated roles: data, trainer, coordinator. Default all three.")]
        public string Roles { get; init; } = "data,trainer,coordinator";

        [CommandOption("--devices <LIST>")]
        [Description("Devices offered to trainer replicas, one replica each: cpu:N (N CPU slots sharing the cores) and/or cuda:I,... Default cpu:1.")]
        public string Devices { get; init; } = "cpu:1";

        [CommandOption("--db <TARGET>")]
        [Description("Journal: sqlite:PATH or postgres:CONNECTION_STRING. Every node of a cluster must use the same database. Default: actortrain.persistence (--config, ACTORTRAIN__PERSISTENCE__*), which is a SQLite file in the data directory unless set.")]
        public string? Db { get; init; }

        [CommandOption("--data-dir <DIR>")]
        [Description("Node data directory (actortrain.node.data-dir). Default: $XDG_DATA_HOME/actortrain.")]
        public string? DataDir { get; init; }

        [CommandOption("--cmd-port <N>")]
        [Description("Port of the command host pbm talks to (actortrain.cmd.port); 0 picks a free one. Default 9110.")]
        public int? CommandPort { get; init; }

        [CommandOption("--metrics-port <N>")]
        [Description("Port of the Prometheus endpoint /metrics and the probes /health/alive, /health/ready (actortrain.metrics.port); 0 turns it off. Default 9464.")]
        public int? MetricsPort { get; init; }

        [CommandOption("--config <PROFILE_OR_FILE>")]
        [Description("Configuration over the reference: 'local' (loopback, failover in seconds), 'production' (Akka's defaults), 'kubernetes' (Cluster Bootstrap, no seeds; over production) or a HOCON file; repeatable, the first wins. Default production.")]
        public string[] Config { get; init; } = [];

        [CommandOption(StopWithParentOption, IsHidden = true)]
        [Description("For local-cluster's nodes: leave the cluster when standard input ends (the launcher died), and leave Ctrl+C to the launcher.")]
        public bool StopWithParent { get; init; }

        public override ValidationResult Validate()
        {
            if (Port is < 0 or > 65535) return ValidationResult.Error($"--port {Port} is not a port number");
            if (MetricsPort is < 0 or > 65535) return ValidationResult.Error($"--metrics-port {MetricsPort} is not a port number");
            if (CommandPort is < 0 or > 65535) return ValidationResult.Error($"--cmd-port {CommandPort} is not a port number");
            string[] roles = RoleList;
            if (roles.Length == 0) return ValidationResult.Error("--roles names no role (data, trainer, coordinator)");
            if (roles.FirstOrDefault(r => !KnownRoles.Contains(r)) is { } unknown)
                return ValidationResult.Error($"--roles: unknown role '{unknown}' (data, trainer, coordinator)");
            if (Seeds.FirstOrDefault(s => !IsHostPort(s)) is { } badSeed) return ValidationResult.Error($"--seed '{badSeed}' is not HOST:PORT");
            try
            {
                if (NodeDevices.Parse(Devices).NotOfferedHere is { } notOffered) return ValidationResult.Error($"--devices: {notOffered}");
                if (Db is not null) JournalTarget.Parse(Db);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                return ValidationResult.Error(e is FormatException ? $"--devices: {e.Message}" : $"--db: {e.Message}");
            }
            if (OperatorConfiguration.FirstMissing(Config) is { } missing) return ValidationResult.Error(missing);
            if (Seeds.Length > 0 && Config.Contains("kubernetes"))
                return ValidationResult.Error("--seed and --config kubernetes exclude each other: with the kubernetes profile nodes find each other through the Kubernetes API");
            return ValidationResult.Success();
        }

        public string[] RoleList => Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        private static bool IsHostPort(string text)
        {
            int colon = text.LastIndexOf(':');
            return colon > 0 && int.TryParse(text[(colon + 1)..], out int port) && port is > 0 and <= 65535;
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        NodeOptions options;
        string dataDirectory;
        try
        {
            (options, dataDirectory) = Options(settings);
        }
        catch (Exception e) when (e is ConfigurationException or IOException or ArgumentException)
        {
            errors.Line("node", e.Message);
            return 1;
        }
        if (RemotingListenCheck.Problem(ClusterNode.ConfigFor(options)) is var (listenProblem, usage))
        {
            errors.Line("node", listenProblem);
            return usage ? ActorTrainApp.UsageError : 1;
        }
        if (!options.Seeds.IsEmpty && options.Journal is SqliteJournal)
            errors.Line("node", "warning: this node journals to SQLite in a cluster; that is sound only when every node runs on this machine with the same file " +
                                "(actortrain local-cluster). Nodes on several machines need the same --db postgres:...");
        // Each replica on a CPU slot gets its share of the cores.
        TorchSharp.torch.set_num_threads(options.Devices.ThreadsPerCpuSlot(Environment.ProcessorCount));
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bool signalled = false;
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        // A launcher's node: the terminal's Ctrl+C reaches its whole process group, and the launcher stops its nodes in
        // order (the oldest last), so the node ignores it; SIGTERM, or its launcher's death, stops it.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, settings.StopWithParent ? signal => signal.Cancel = true : Stop);
        if (settings.StopWithParent) _ = ParentLifeline.WhenParentGone().ContinueWith(_ => Leave(), TaskScheduler.Default);
        ClusterNode node;
        CommandHostSettings commandHost;
        var recentLogs = new RecentLogs();
        try
        {
            NodeLogging.Configure($"{options.Host}:{options.Port}", ClusterNode.ConfigFor(options).GetString("actortrain.logging.format", "text"),
                recentLogs, console.Profile.Out.Writer);
            commandHost = CommandHostSettings.From(ConfigurationFactory.ParseString(settings.CommandPort is int port ? $"actortrain.cmd.port = {port}" : "")
                .WithFallback(ClusterNode.ConfigFor(options)));
            node = await ClusterNode.StartAsync(options, JoinPatience, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            console.WriteLine("node stopped before it joined the cluster");
            return 0;
        }
        catch (Exception e) when (e is TimeoutException or ConfigurationException)
        {
            errors.Line("node", e.Message);
            return 1;
        }
        catch (System.Net.HttpListenerException e)
        {
            errors.Line("node", $"the metrics endpoint cannot listen on port {options.HttpPort}: {e.Message} (--metrics-port picks another; 0 turns it off)");
            return 1;
        }
        RecentLogs.Attach(node.System, recentLogs);
        bool downed = false;
        await using (node)
        {
            CommandHost host;
            try
            {
                host = CommandHost.Start(node.System, commandHost, Palettes(node, options, dataDirectory));
            }
            catch (System.Net.Sockets.SocketException e)
            {
                errors.Line("node", $"the command host cannot listen on {commandHost.Host}:{commandHost.Port}: {e.Message} (--cmd-port picks another; 0 any)");
                return 1;
            }
            await using (host)
            {
                // Whole lines, never wrapped to a terminal width: scripts and tests read them.
                var lines = console.Profile.Out.Writer;
                lines.WriteLine($"node up: {node.Address} roles [{string.Join(", ", Akka.Cluster.Cluster.Get(node.System).SelfRoles.Order())}]");
                if (node.Http is not null) lines.WriteLine($"metrics: {node.Http.Url}");
                lines.WriteLine($"pbm: {host.Endpoint}"); // last: it says the node is ready
                lines.Flush();
                // Removed from the cluster (`pbm cluster leave -a` from elsewhere, or downed): the system ends, and so does the node.
                _ = node.System.WhenTerminated.ContinueWith(_ => stopping.Cancel(), TaskScheduler.Default);
                await Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                // Downed (split-brain resolution, `pbm cluster down`), not stopped or removed by a leave: a failure, so
                // that a supervisor (systemd's Restart=on-failure, Kubernetes) starts the node again and it rejoins.
                downed = !signalled && Akka.Actor.CoordinatedShutdown.Get(node.System).ShutdownReason is Akka.Actor.CoordinatedShutdown.ClusterDowningReason;
            }
            console.WriteLine($"node leaving: {node.Address}");
        }
        NodeLogging.Flush();
        if (downed)
        {
            console.WriteLine("node stopped: the cluster downed it");
            return DownedExitCode;
        }
        console.WriteLine("node stopped");
        return 0;

        void Stop(PosixSignalContext signal)
        {
            // The first signal leaves the cluster, and the process exits when that is done; a second one is not held.
            if (signalled) return;
            signal.Cancel = true;
            Leave();
        }

        void Leave()
        {
            signalled = true;
            stopping.Cancel();
        }
    }

    // Petabridge's palettes over Akka itself, and ours over training and this node.
    internal static IEnumerable<PaletteHandler> Palettes(ClusterNode node, NodeOptions options, string dataDirectory) =>
    [
        new ClusterPalette(node.System), new ShardingPalette(node.System), new ActorPalette(node.System), new LogPalette(node.System),
        new NodePalette(options.Journal), new TrainPalette(node.System, node.Training.Runs, dataDirectory),
        new DataPalette(node.System, node.Ingest.Jobs, dataDirectory, node.IngestSettings.Shards),
    ];

    private static (NodeOptions, string DataDirectory) Options(Settings settings)
    {
        var layers = OperatorConfiguration.Layers(settings.Config, settings.DataDir);
        // Serilog: standard output, and the last lines kept in memory for `pbm log peek`.
        layers.Insert(0, NodeLogging.AkkaLoggers);
        var effective = OperatorConfiguration.Effective(layers);
        string directory = NodeDataDirectory.Resolve(effective);
        // --db, else actortrain.persistence (from --config and ACTORTRAIN__PERSISTENCE__*), whose default is SQLite in the data directory.
        var journal = settings.Db is not null ? JournalTarget.Parse(settings.Db) : PersistenceSettings.JournalFrom(effective);
        int httpPort = settings.MetricsPort ?? effective.GetInt("actortrain.metrics.port", 9464);
        return (new NodeOptions(settings.Host, settings.Port, [.. settings.Seeds], [.. settings.RoleList], NodeDevices.Parse(settings.Devices), journal, [.. layers], httpPort), directory);
    }
}
