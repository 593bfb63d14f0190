using ActorTrain.Chaos;
using ActorTrain.Chaos.Scenarios;
using ActorTrain.Processes;
using ActorTrain.Testing;
using Xunit;
using Xunit.Abstractions;

namespace ActorTrain.Node.Tests.Chaos;

/// <summary>
/// The chaos scenarios with a fixed seed (`benchmarks/run chaos` runs them longer, with other seeds):
/// each must recover, and every invariant of <see cref="TrainingInvariants"/> must hold, with no process left.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(PostgresCollection.Name)]
public sealed class ChaosTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Seed = 7;

    [PostgresFact]
    public async Task Trainer_nodes_SIGKILLed_at_random_moments_and_restarted() =>
        Check(await TrainerKills.RunAsync(await postgres.NewDatabaseAsync(), Seed, kills: 2));

    [PostgresFact]
    public async Task Every_trainer_node_downed_at_once_and_started_again_by_the_supervisor() =>
        Check(await TrainersDowned.RunAsync(await postgres.NewDatabaseAsync(), Seed));

    [PostgresFact]
    public async Task Data_nodes_SIGKILLed_during_an_ingest_that_still_ends_identical_to_a_fault_free_one() =>
        Check(await IngestKills.RunAsync(await postgres.NewDatabaseAsync(), Seed));

    [PostgresFact]
    public async Task The_journals_PostgreSQL_restarted_mid_run() => Check(await PostgresRestart.RunAsync(Seed));

    [PostgresFact]
    public async Task The_newest_checkpoint_corrupted_on_disk_then_the_whole_cluster_killed() =>
        Check(await CheckpointCorrupted.RunAsync(await postgres.NewDatabaseAsync(), Seed));

    [MountFact]
    public async Task Checkpoints_on_a_disk_too_small_for_them() =>
        Check(await CheckpointWriteFails.RunAsync(await postgres.NewDatabaseAsync(), Seed));

    [NetworkNamespaceFact]
    public async Task A_network_partition_isolating_the_runs_host() => Check(await NetworkPartition.RunAsync(Seed));

    [PostgresFact]
    public async Task Garbage_on_every_port_and_a_corpus_of_broken_files() =>
        Check(await HostileInput.RunAsync(await postgres.NewDatabaseAsync(), Seed));

    /// <summary>Skipped, with the reason, where no tmpfs can be mounted (not root, no CAP_SYS_ADMIN).</summary>
    public sealed class MountFactAttribute : FactAttribute
    {
        public MountFactAttribute()
        {
            if (CheckpointWriteFails.UnavailableReasonAsync().GetAwaiter().GetResult() is { } reason) Skip = reason;
            else if (!ContinuousIntegration.IsRunning && PrivatePostgres.UnavailableReason is { } postgres) Skip = postgres;
        }
    }

    /// <summary>Skipped, with the reason, where no network namespace can be made (not root, no CAP_NET_ADMIN).</summary>
    public sealed class NetworkNamespaceFactAttribute : FactAttribute
    {
        public NetworkNamespaceFactAttribute()
        {
            if (ActorTrain.Chaos.Network.NetworkLab.UnavailableReasonAsync().GetAwaiter().GetResult() is { } reason) Skip = reason;
        }
    }

    private void Check(ScenarioResult result)
    {
        output.WriteLine(result.ToString());
        foreach (string error in result.ErrorsSurfaced) output.WriteLine($"  surfaced: {error}");
        Assert.True(result.Violations.Count == 0, string.Join("\n", result.Violations));
        Assert.True(result.Recovered, $"{result.Scenario} did not recover");
        Assert.Equal(0, result.SamplesLost);
        Assert.Equal(0, result.SamplesDuplicated);
    }
}
