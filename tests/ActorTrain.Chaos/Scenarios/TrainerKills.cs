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
        var scenario = new ChaosScenario(Name, seed, ProcessCluster.Create(journal));
        return scenario.RunAsync(async s => (await s.Cluster.StartThreeAsync()).Coordinator, async (s, watcher) =>
        {
            for (int kill = 0; kill < kills; kill++)
            {
                long from = watcher.Latest!.NextStep;
                int after = s.Random.Next(1, 8);
                await watcher.WaitForAsync(state => state.NextStep >= from + after, ChaosScenario.Patience, $"{after} steps before kill {kill + 1}");
                var trainers = s.Cluster.Nodes.Where(n => n.Name.StartsWith("trainer", StringComparison.Ordinal) && !n.HasExited).ToList();
                var victim = trainers[s.Random.Next(trainers.Count)];
                watcher.Fault();
                await victim.KillAsync();
                await Task.Delay(s.Delay(1, 6));
                var back = s.Cluster.Restart(victim);
                await back.WaitUpAsync(ChaosScenario.Patience);
                long at = watcher.Latest!.NextStep;
                await watcher.WaitForAsync(state => state.NextStep > at + 3 && state.Steps[^1].Ranks.Length == 2, ChaosScenario.Patience,
                    $"both replicas training again after kill {kill + 1} ({victim.Name})");
            }
        });
    }
}
