using ActorTrain.Node.Commands;

namespace ActorTrain.Chaos.Scenarios;

/// <summary>
/// Every trainer node downed at once (`pbm cluster down`, at a moment chosen by the seed), as the split brain resolver
/// downs both sides of a link that works one way only: each exits with 3 and the supervisor starts it again 5 s later
/// (<see cref="ProcessCluster.RestartDownedNodes"/>). The run, which lost every replica, must resume from its
/// checkpoint and the journal with both, losing or repeating no sample.
/// </summary>
public static class TrainersDowned
{
    public const string Name = "trainers-downed";

    public static Task<ScenarioResult> RunAsync(string journal, int seed)
    {
        var cluster = ProcessCluster.Create(journal);
        cluster.RestartDownedNodes();
        var scenario = new ChaosScenario(Name, seed, cluster);
        return scenario.RunAsync(async s => (await s.Cluster.StartThreeAsync()).Coordinator, async (s, watcher) =>
        {
            // Off the checkpoint (every 10 steps) by a seeded 1 to 9 steps: those are replayed from the journal.
            long from = watcher.Latest!.NextStep;
            long target = (from / 10 + 1) * 10 + s.Random.Next(1, 10);
            await watcher.WaitForAsync(state => state.NextStep >= target, ChaosScenario.Patience, $"step {target}");
            var trainers = s.Cluster.Nodes.Where(n => n.Name.StartsWith("trainer", StringComparison.Ordinal) && !n.HasExited).ToList();
            watcher.Fault();
            foreach (var trainer in trainers)
            {
                var (code, output) = await Pbm.RunAsync(watcher.Contact.CommandAddress!, "cluster", "down", "-a", $"akka.tcp://actortrain@{trainer.Address}");
                if (code != 0) throw new InvalidOperationException($"pbm cluster down {trainer.Name} exited with {code}: {output}");
            }
            foreach (var trainer in trainers)
            {
                using var exit = new CancellationTokenSource(ChaosScenario.Patience);
                await trainer.WaitForExitAsync(exit.Token);
                if (trainer.ExitCode != NodeCommand.DownedExitCode) s.Violations.Add($"{trainer.Name}, downed, exited with {trainer.ExitCode}, not {NodeCommand.DownedExitCode}: a supervisor would not start it again");
            }
            long at = watcher.Latest!.NextStep;
            await watcher.WaitForAsync(state => state.NextStep > at + 3 && state.Steps[^1].Ranks.Length == 2, ChaosScenario.Patience,
                "both replicas training again after every trainer node was downed and started again");
        });
    }
}
