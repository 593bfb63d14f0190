using ActorTrain.Processes;

namespace ActorTrain.Chaos.Scenarios;

/// <summary>
/// The journal's PostgreSQL server stopped mid-run (fast shutdown: connections cut) and started again
/// after a delay. Training may stall or redo steps, but must continue by itself with every committed
/// step kept.
/// </summary>
public static class PostgresRestart
{
    public const string Name = "postgres-restart";

    public static async Task<ScenarioResult> RunAsync(int seed)
    {
        await using var server = await PrivatePostgres.StartAsync();
        string database = await server.CreateDatabaseAsync("chaos");
        var scenario = new ChaosScenario(Name, seed, ProcessCluster.Create(database));
        return await scenario.RunAsync(async s => (await s.Cluster.StartThreeAsync()).Coordinator, async (s, watcher) =>
        {
            long from = watcher.Latest!.NextStep;
            int after = s.Random.Next(1, 6);
            await watcher.WaitForAsync(state => state.NextStep >= from + after, ChaosScenario.Patience, $"{after} steps before the restart");
            watcher.Fault();
            await server.StopServerAsync();
            await Task.Delay(s.Delay(2, 8));
            await server.StartServerAsync();
            long at = watcher.Latest!.NextStep;
            await watcher.WaitForAsync(state => state.NextStep >= at + 5, ChaosScenario.Patience, "five steps after the database came back");
        });
    }
}
