using ActorTrain.Processes;

namespace ActorTrain.Chaos.Scenarios;

/// <summary>
/// A disk too small for a checkpoint: the run directory is a 1 MiB tmpfs, so every checkpoint write fails
/// with "no space left" while training goes on. The run must surface the failure, keep no broken
/// checkpoint, and continue. Needs root (mount); without it the scenario reports why it did not run.
/// </summary>
public static class CheckpointWriteFails
{
    public const string Name = "checkpoint-disk-full";

    /// <summary>Why the scenario cannot run here (no permission to mount a tmpfs), or null.</summary>
    public static async Task<string?> UnavailableReasonAsync()
    {
        string probe = Directory.CreateTempSubdirectory("actortrain-mount-probe-").FullName;
        try
        {
            var mount = await ExternalCommand.RunForOutcomeAsync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], TimeSpan.FromSeconds(10));
            if (mount.ExitCode != 0) return $"cannot mount a tmpfs (needs root and CAP_SYS_ADMIN): {mount.Output.Trim()}";
            await ExternalCommand.RunAsync("umount", [probe], TimeSpan.FromSeconds(10));
            return null;
        }
        finally
        {
            Directory.Delete(probe);
        }
    }

    public static Task<ScenarioResult> RunAsync(string journal, int seed)
    {
        var cluster = ProcessCluster.Create(journal);
        var scenario = new ChaosScenario(Name, seed, cluster);
        string runDirectory = cluster.RunDirectory(ChaosScenario.Run);
        return scenario.RunAsync(async s =>
        {
            Directory.CreateDirectory(runDirectory);
            await ExternalCommand.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", runDirectory], TimeSpan.FromSeconds(10));
            s.Cluster.BeforeDelete.Add(() => ExternalCommand.RunAsync("umount", ["-l", runDirectory], TimeSpan.FromSeconds(10)));
            return (await s.Cluster.StartThreeAsync()).Coordinator;
        }, async (s, watcher) =>
        {
            // No Fault(): a failed checkpoint fails no step, so there is no recovery to time (it was two ordinary steps).
            await watcher.WaitForAsync(state => state.NextStep >= 12, ChaosScenario.Patience, "twelve steps past two failed checkpoints");
            var state = watcher.Latest!;
            if (state.Checkpoints.Count > 0) s.Violations.Add($"a checkpoint was recorded on a disk too small for one: {state.Checkpoints[^1].Path}");
            if (!s.Cluster.Nodes.Any(n => n.Output.Contains("checkpoint failed", StringComparison.Ordinal)))
                s.Violations.Add("no node reported the failed checkpoint");
        }, checkpointEvery: 4);
    }
}
