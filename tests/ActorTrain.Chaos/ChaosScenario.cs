using System.Diagnostics;
using ActorTrain.Protocol.Training;

namespace ActorTrain.Chaos;

/// <summary>
/// The frame every training scenario shares: a cluster of real node processes on a journal, a run
/// followed from outside, the scenario's faults, then the run stopped and its journal checked against
/// <see cref="TrainingInvariants"/>, every process ended and checked gone.
/// </summary>
public sealed class ChaosScenario(string name, int seed, ProcessCluster cluster)
{
    public const string Run = "chaos";

    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    // A recovery slower than this keeps every node's log for a post-mortem, like one that never came.
    private static readonly TimeSpan SlowRecovery = TimeSpan.FromSeconds(40);

    public string Name { get; } = name;

    public int Seed { get; } = seed;

    public Random Random { get; } = new(seed);

    public ProcessCluster Cluster { get; } = cluster;

    /// <summary>Checkpoints the scenario damaged on purpose.</summary>
    public HashSet<string> Damaged { get; } = [];

    /// <summary>Problems the scenario saw besides the journal's invariants.</summary>
    public List<string> Violations { get; } = [];

    /// <summary>Runs <paramref name="faults"/> against a run of the cluster started by <paramref name="start"/>,
    /// then stops the run, checks it and ends every process.</summary>
    /// <param name="start">Starts the nodes; returns the one to follow the run through (not harmed by the faults, or
    /// given up for another by <see cref="RunWatcher.AskThroughAsync"/> first).</param>
    public async Task<ScenarioResult> RunAsync(Func<ChaosScenario, Task<NodeProcess>> start, Func<ChaosScenario, RunWatcher, Task> faults,
        int replicas = 2, int checkpointEvery = 10)
    {
        var clock = Stopwatch.StartNew();
        bool recovered = false;
        double recovery = -1;
        TrainingRunState? final = null;
        try
        {
            var contact = await start(this);
            await Cluster.StartRunAsync(contact, Run, steps: 100_000, checkpointEvery, replicas);
            await using var watcher = new RunWatcher(contact, Run);
            await watcher.WaitForAsync(s => s.NextStep >= 3, Patience, "the first steps");
            await faults(this, watcher);
            recovered = true;
            recovery = watcher.LongestRecoverySeconds();
            if (recovery > SlowRecovery.TotalSeconds)
                Console.WriteLine($"{Name} (seed {Seed}): recovery took {recovery:0.0} s; every node's log: {Cluster.KeepLogs(Name, Seed, $"recovery took {recovery:0.0} s")}");
            await Cluster.AskAsync(watcher.Contact, new TrainingRunCommands.Stop(Run));
            final = await watcher.WaitForAsync(s => s.Status == TrainingRunStatus.Stopped, Patience, "the stop");
        }
        catch (Exception e) when (e is TimeoutException or NodeFailedException)
        {
            Violations.Add(Cluster.NotRecovered(Name, Seed, e));
        }
        var nodes = Cluster.Nodes.ToList();
        // A resume that replayed the journal into other parameters than it records is not the run the journal describes.
        foreach (var node in nodes)
            foreach (string line in node.Output.Split('\n').Where(line => line.Contains("the replay diverged from the journal", StringComparison.Ordinal)))
                Violations.Add($"{node.Name}: {line.Trim()}");
        await Cluster.StopAllAsync();
        // Checked while the run directory still exists; the cluster's directory goes with it below.
        var violations = final is null ? Violations
            : [.. TrainingInvariants.Violations(final, ProcessCluster.GlobalBatch, ActorTrain.Cluster.Training.ReplicaSetup.SamplerFor(final.Spec!), Damaged), .. Violations];
        await Cluster.DisposeAsync();
        violations.AddRange(Cluster.LeftoverProcesses());
        var (lost, duplicated) = final is null ? (0, 0) : TrainingInvariants.SampleAccounting(final);
        return new ScenarioResult(Name, Seed, recovered && final is not null, recovery, NodeLogs.StepsRedone(nodes, Run), lost, duplicated,
            NodeLogs.Errors(nodes, Run), violations, clock.Elapsed.TotalSeconds);
    }

    /// <summary>A delay between min and max seconds, drawn from the scenario's seed.</summary>
    public TimeSpan Delay(double min, double max) => TimeSpan.FromSeconds(min + Random.NextDouble() * (max - min));

    /// <summary>A live trainer node chosen by the seed, once the run has gone a seeded 1 to 7 steps further.</summary>
    public async Task<NodeProcess> TrainerVictimAsync(RunWatcher watcher, string fault)
    {
        long from = watcher.Latest!.NextStep;
        int after = Random.Next(1, 8);
        await watcher.WaitForAsync(state => state.NextStep >= from + after, Patience, $"{after} steps before {fault}");
        var trainers = Cluster.Nodes.Where(n => n.Name.StartsWith("trainer", StringComparison.Ordinal) && !n.HasExited).ToList();
        return trainers[Random.Next(trainers.Count)];
    }

    /// <summary>Starts a dead trainer node again and waits until the run trains with both replicas.</summary>
    public async Task RestartUntilBothTrainAsync(RunWatcher watcher, NodeProcess dead, string fault)
    {
        var back = Cluster.Restart(dead);
        await back.WaitUpAsync(Patience);
        long at = watcher.Latest!.NextStep;
        await watcher.WaitForAsync(state => state.NextStep > at + 3 && state.Steps[^1].Ranks.Length == 2, Patience,
            $"both replicas training again after {fault} ({dead.Name})");
    }
}
