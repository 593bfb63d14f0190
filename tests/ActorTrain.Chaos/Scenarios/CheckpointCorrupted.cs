using ActorTrain.Protocol.Training;

namespace ActorTrain.Chaos.Scenarios;

/// <summary>
/// The newest checkpoint damaged on disk (bytes of its weights overwritten), then the whole cluster
/// SIGKILLed and started again: the replicas must refuse the damaged checkpoint, say so, start from the
/// previous good one, replay the journal's steps after it and carry on.
/// </summary>
public static class CheckpointCorrupted
{
    public const string Name = "checkpoint-corrupted";
    private const int CheckpointEvery = 4;

    public static Task<ScenarioResult> RunAsync(string journal, int seed)
    {
        var scenario = new ChaosScenario(Name, seed, ProcessCluster.Create(journal));
        NodeProcess? coordinator = null;
        return scenario.RunAsync(async s => coordinator = (await s.Cluster.StartThreeAsync()).Coordinator, async (s, watcher) =>
        {
            await watcher.WaitForAsync(state => state.Checkpoints.Count >= 2, ChaosScenario.Patience, "two checkpoints");
            await s.Cluster.AskAsync(coordinator!, new TrainingRunCommands.Pause(ChaosScenario.Run));
            // The pause lands between steps, but the checkpoint of a step before it may still be in flight and be recorded
            // after it: corrupting the newest seen at the pause then damaged one the restart never reads (seen once in CI: "no
            // replica reported the damaged checkpoint", 0 steps redone). Waited for: the checkpoint due at the paused step.
            var paused = await watcher.WaitForAsync(state => state.Status == TrainingRunStatus.Paused && state.Checkpoints[^1].Step >= state.NextStep / CheckpointEvery * CheckpointEvery,
                ChaosScenario.Patience, "the pause, and the checkpoint due before it");
            var newest = paused.Checkpoints[^1];
            Corrupt(Path.Combine(newest.Path, "model.safetensors"), s.Random);
            s.Damaged.Add(newest.Path);

            watcher.Fault();
            var dead = s.Cluster.Nodes.Where(n => !n.HasExited).ToList();
            foreach (var node in dead) await node.KillAsync();
            var restarted = dead.Select(s.Cluster.Restart).ToList();
            foreach (var node in restarted) await node.WaitUpAsync(ChaosScenario.Patience);
            coordinator = restarted[0];
            await s.Cluster.AskAsync(coordinator, new TrainingRunCommands.Resume(ChaosScenario.Run));
            await watcher.WaitForAsync(state => state.NextStep >= paused.NextStep + 5, ChaosScenario.Patience, "five steps after the restart");
            if (!s.Cluster.Nodes.Any(n => n.Output.Contains($"cannot start from checkpoint {newest.Path}", StringComparison.Ordinal)))
                s.Violations.Add($"no replica reported the damaged checkpoint {newest.Path}");
            var previous = paused.Checkpoints[^2];
            if (!s.Cluster.Nodes.Any(n => n.Output.Contains($"starts from the previous good checkpoint {previous.Path}", StringComparison.Ordinal)))
                s.Violations.Add($"no replica started from the previous good checkpoint {previous.Path}");
        }, checkpointEvery: CheckpointEvery);
    }

    // 4 KiB of the weights replaced by the seed's random bytes: the file keeps its size, its sha256 changes.
    private static void Corrupt(string file, Random random)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var garbage = new byte[4096];
        random.NextBytes(garbage);
        stream.Position = stream.Length / 2;
        stream.Write(garbage);
    }
}
