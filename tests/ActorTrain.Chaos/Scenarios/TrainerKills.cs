namespace ActorTrain.Chaos.Scenarios;

/// <summary>
/// SIGKILL of a trainer node chosen by the seed, at a moment chosen by the seed, again and again; each
/// comes back after a random delay. Training must shrink to the survivors, take the node back when it
/// returns, and lose or repeat no sample.
/// </summary>
public static class TrainerKills
{
    public const string Name = "trainer-sigkill";

    public static Task<ScenarioResult> RunAsync(string journal, int seed, int kills)
    {
        var cluster = ProcessCluster.Create(journal);
        cluster.RestartDownedNodes();
        var scenario = new ChaosScenario(Name, seed, cluster);
        return scenario.RunAsync(async s => (await s.Cluster.StartThreeAsync()).Coordinator, async (s, watcher) =>
        {
            for (int kill = 0; kill < kills; kill++)
            {
                var victim = await s.TrainerVictimAsync(watcher, $"kill {kill + 1}");
                watcher.Fault();
                await victim.KillAsync();
                await Task.Delay(s.Delay(1, 6));
                await s.RestartUntilBothTrainAsync(watcher, victim, $"kill {kill + 1}");
            }
        });
    }
}
