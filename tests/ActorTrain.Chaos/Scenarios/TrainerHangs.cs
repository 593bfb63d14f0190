namespace ActorTrain.Chaos.Scenarios;

/// <summary>
/// SIGSTOP of a trainer node chosen by the seed, at a moment chosen by the seed: the node hangs with its
/// sockets open, as one does on a stuck driver or in swap, so no connection breaks. The cluster must down
/// it and training go on without it, well before step-timeout; then the hung node is killed (a downed node
/// cannot rejoin as itself) and started again, and both replicas must train again, losing or repeating no sample.
/// </summary>
public static class TrainerHangs
{
    public const string Name = "trainer-sigstop";

    public static Task<ScenarioResult> RunAsync(string journal, int seed, int hangs)
    {
        var cluster = ProcessCluster.Create(journal);
        cluster.RestartDownedNodes();
        var scenario = new ChaosScenario(Name, seed, cluster);
        return scenario.RunAsync(async s => (await s.Cluster.StartThreeAsync()).Coordinator, async (s, watcher) =>
        {
            for (int hang = 0; hang < hangs; hang++)
            {
                var victim = await s.TrainerVictimAsync(watcher, $"hang {hang + 1}");
                watcher.Fault();
                victim.Freeze();
                long at = watcher.Latest!.NextStep;
                await watcher.WaitForAsync(state => state.NextStep > at + 2 && state.Steps[^1].Ranks.Length == 1, ChaosScenario.Patience,
                    $"training without the hung node after hang {hang + 1} ({victim.Name})");
                await victim.KillAsync();
                await s.RestartUntilBothTrainAsync(watcher, victim, $"hang {hang + 1}");
            }
        });
    }
}
