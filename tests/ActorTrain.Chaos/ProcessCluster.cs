using ActorTrain.Cluster;
using ActorTrain.Node.Commands;
using ActorTrain.Processes;
using ActorTrain.Protocol.Training;
using ActorTrain.Testing;

namespace ActorTrain.Chaos;

/// <summary>
/// Real `actortrain node` processes on loopback sharing one PostgreSQL journal, a counting dataset, and a
/// cluster client for the test's questions. Every node still running at the end is killed.
/// </summary>
public sealed class ProcessCluster(string? journal) : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>deploy/systemd/actortrain-node.service's RestartSec.</summary>
    public static readonly TimeSpan SupervisorRestartDelay = TimeSpan.FromSeconds(5);

    // Appended to by the supervisor's restarts as well as the test's: read through Nodes, a copy.
    private readonly List<NodeProcess> nodes = [];
    private readonly TemporaryDirectory root = new("actortrain-processes-");
    private bool supervising, stopping;

    public string Root => root.Path;

    private string Journal => journal ?? $"sqlite:{root.Combine("journal.db")}";

    public static ProcessCluster Create(string postgresConnection)
    {
        var cluster = new ProcessCluster($"postgres:{postgresConnection}");
        CountingDataset.Write(cluster.root.Combine("dataset"));
        return cluster;
    }

    public string DatasetDirectory => root.Combine("dataset");

    /// <summary>Starts a node (not waiting for it) with its own data directory, on <paramref name="port"/> (0: a free one).</summary>
    public NodeProcess Start(string name, string roles, NodeProcess? seed, int port = 0, string devices = "cpu:1", string? config = null) =>
        Start(name, roles, seed is null ? [] : [seed.Address], NodePlace.Loopback, port == 0 ? NodeProcess.FreePort() : port, NodeProcess.FreePort(), devices, config);

    /// <summary>Starts a node at <paramref name="place"/> (its own network namespace) joining <paramref name="seeds"/> (HOST:PORT).</summary>
    public NodeProcess Start(string name, string roles, IReadOnlyList<string> seeds, NodePlace place, int port, int metricsPort, string devices = "cpu:1", string? config = null)
    {
        List<string> arguments = ["--roles", roles, "--devices", devices, "--db", Journal, "--data-dir", root.Combine("nodes", name)];
        if (config is not null) arguments.AddRange(["--config", config]);
        foreach (string seed in seeds) arguments.AddRange(["--seed", seed]);
        return Track(NodeProcess.Start(name, port, metricsPort, place, [.. arguments]));
    }

    /// <summary>A cluster whose nodes share a SQLite journal file (sound for nodes on this one machine, even in
    /// network namespaces of their own: they share the file system).</summary>
    public static ProcessCluster CreateOnSqlite()
    {
        var cluster = new ProcessCluster(null);
        CountingDataset.Write(cluster.root.Combine("dataset"));
        return cluster;
    }

    /// <summary>Every node process started, dead or alive, in start order.</summary>
    public IReadOnlyList<NodeProcess> Nodes
    {
        get
        {
            lock (nodes) return [.. nodes];
        }
    }

    /// <summary>Starts <paramref name="dead"/> again with its name, ports and arguments.</summary>
    public NodeProcess Restart(NodeProcess dead) => Track(dead.Restart());

    /// <summary>From now on a node the cluster downs (it exits with <see cref="NodeCommand.DownedExitCode"/>) is
    /// started again <see cref="SupervisorRestartDelay"/> later, as systemd does with the unit the project ships
    /// (Restart=on-failure). Nodes the test kills are the test's to restart.</summary>
    /// <remarks>A scenario whose faults can get a node downed that it does not mean to harm needs this, as a deployment
    /// does: a node restarted within seconds at its old address can be heard by one peer and not by another (Akka.Remote
    /// loses the new connection's handle while it removes the old incarnation), and the split brain resolver then
    /// downs both it and that healthy peer (DownIndirectlyConnected; seen in CI, trainer-sigkill seed 7).</remarks>
    public void RestartDownedNodes() => supervising = true;

    private NodeProcess Track(NodeProcess node)
    {
        lock (nodes) nodes.Add(node);
        _ = SuperviseAsync(node);
        return node;
    }

    private async Task SuperviseAsync(NodeProcess node)
    {
        await node.WaitForExitAsync();
        if (!supervising || node.ExitCode != NodeCommand.DownedExitCode) return;
        await Task.Delay(SupervisorRestartDelay);
        lock (nodes)
        {
            if (stopping) return;
            Console.WriteLine($"supervisor: {node.Name} was downed (exit {node.ExitCode}); started again after {SupervisorRestartDelay.TotalSeconds:0} s");
            Restart(node);
        }
    }

    /// <summary>One coordinator and data node (the seed) and two trainer nodes with a CPU slot each, all up.</summary>
    /// <param name="config">A HOCON file every node layers over the local profile.</param>
    public async Task<(NodeProcess Coordinator, NodeProcess First, NodeProcess Second)> StartThreeAsync(string? config = null)
    {
        var coordinator = Start("coordinator", "coordinator,data", seed: null, config: config);
        var first = Start("trainer-1", "trainer", coordinator, config: config);
        var second = Start("trainer-2", "trainer", coordinator, config: config);
        await Task.WhenAll(coordinator.WaitUpAsync(Patience), first.WaitUpAsync(Patience), second.WaitUpAsync(Patience));
        return (coordinator, first, second);
    }

    /// <summary>Sequences per step of the runs <see cref="StartRunAsync"/> starts.</summary>
    public const int GlobalBatch = 6;

    public string RunDirectory(string run) => root.Combine("runs", run);

    /// <summary>`actortrain train --cluster ... --detach`, as an operator runs it: tiny causal model, global batch 6.</summary>
    public async Task StartRunAsync(NodeProcess contact, string run, int steps, int checkpointEvery = 10, int replicas = 2)
    {
        var outcome = await ExternalCommand.RunForOutcomeAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "actortrain.dll"),
            "train", "--cluster", contact.Address, "--run", RunDirectory(run), "--dataset", DatasetDirectory,
            "--preset", "tiny", "--objective", "causal", "--global-batch", GlobalBatch.ToString(), "--micro-batch", "3", "--steps", steps.ToString(), "--lr", "3e-3", "--seed", "11",
            "--replicas", replicas.ToString(), "--checkpoint-every", checkpointEvery.ToString(), "--detach"], TimeSpan.FromSeconds(120));
        if (outcome.ExitCode != 0) throw new InvalidOperationException($"train --cluster exited with {outcome.ExitCode}:\n{outcome.Output}\n{Logs()}");
    }

    /// <summary>The run's state once <paramref name="done"/> holds, asked through <paramref name="contact"/> (a failing node is skipped over).</summary>
    public async Task<TrainingRunState> WaitForAsync(NodeProcess contact, string run, Func<TrainingRunState, bool> done, string what)
    {
        await using var connection = ClusterConnection.Open(contact.Address);
        try
        {
            var state = await Eventually.Until(async () =>
            {
                try
                {
                    return await connection.AskRunsAsync<TrainingRunState>(new TrainingRunCommands.GetStatus(run), TimeSpan.FromSeconds(10));
                }
                catch (TimeoutException)
                {
                    return null; // failing over: ask again
                }
            }, state => state is not null && done(state), Patience, what, TimeSpan.FromMilliseconds(250));
            return state!;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Logs()}");
        }
    }

    /// <param name="patience">How long the run may take to answer; 30 s by default.</param>
    public async Task<TrainingRunState> AskAsync(NodeProcess contact, object command, TimeSpan? patience = null)
    {
        await using var connection = ClusterConnection.Open(contact.Address);
        return await connection.AskRunsAsync<TrainingRunState>(command, patience ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Every node's output, for a failure message.</summary>
    public string Logs() => string.Join("\n", Nodes.Select(n => $"===== {n.Name} ({n.Address}) =====\n{n.Output}"));

    /// <summary>Why a scenario did not recover, its first line, with every node's log kept in a file for the
    /// post-mortem (the cluster's own directory is deleted with it).</summary>
    public string NotRecovered(string scenario, int seed, Exception e) =>
        $"did not recover: {e.Message.Split('\n')[0]} (every node's log: {KeepLogs(scenario, seed, e.ToString())})";

    /// <summary>Writes every node's log, after <paramref name="why"/>, to a file that outlives the cluster; returns its path.</summary>
    public string KeepLogs(string scenario, int seed, string why)
    {
        string logs = Path.Combine(Path.GetTempPath(), $"actortrain-chaos-{scenario}-{seed}-{DateTime.UtcNow:HHmmss}.log");
        File.WriteAllText(logs, $"{why}\n{Logs()}");
        return logs;
    }

    /// <summary>SIGTERM to every node still running (SIGKILL after 30 s): the cluster's files stay for inspection.</summary>
    public async Task StopAllAsync()
    {
        lock (nodes) stopping = true;
        foreach (var node in Nodes) await node.StopOrKillAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Node processes started here that are still running (a zombie, exited but not reaped, counts as gone).</summary>
    public IReadOnlyList<string> LeftoverProcesses() =>
        [.. Nodes.Where(n => File.Exists($"/proc/{n.ProcessId}/stat") && File.ReadAllText($"/proc/{n.ProcessId}/stat").Split(' ')[2] != "Z")
            .Select(n => $"{n.Name} (process {n.ProcessId}) is still running")];

    /// <summary>Run once every node is gone, before the cluster's directory is deleted (unmounting what a scenario mounted there).</summary>
    public List<Func<Task>> BeforeDelete { get; } = [];

    public async ValueTask DisposeAsync()
    {
        lock (nodes) stopping = true;
        foreach (var node in Nodes) await node.DisposeAsync();
        foreach (var cleanup in BeforeDelete) await cleanup();
        BeforeDelete.Clear();
        root.Dispose();
    }
}
