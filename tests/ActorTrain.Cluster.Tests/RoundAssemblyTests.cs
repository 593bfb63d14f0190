using ActorTrain.Cluster.Training;
using Xunit;

namespace ActorTrain.Cluster.Tests;

/// <summary>When a forming run waits for the replicas that did not answer, on a clock the test moves.</summary>
public sealed class RoundAssemblyTests
{
    private static readonly TimeSpan AssembleTimeout = TimeSpan.FromSeconds(30);
    private DateTime now = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    private RoundAssembly NewAssembly() => new(AssembleTimeout, () => now);

    private static bool AskAndWait(RoundAssembly assembly, (int Rank, bool Continuing)[] ready, int replicas, bool roundLive = false)
    {
        assembly.Asking();
        return assembly.WaitForOthers(ready, replicas, roundLive);
    }

    [Fact]
    public void A_restarting_run_waits_for_its_whole_world_until_assemble_timeout_however_often_it_asks()
    {
        var assembly = NewAssembly();
        Assert.True(AskAndWait(assembly, [(0, false)], replicas: 2));
        // Asked again prepare-timeout later: rank 0 was built by the first ask and now holds the run's state.
        for (int ask = 0; ask < 5; ask++)
        {
            now += TimeSpan.FromSeconds(5);
            Assert.True(AskAndWait(assembly, [(0, true)], replicas: 2));
        }
        now += TimeSpan.FromSeconds(6);
        Assert.False(AskAndWait(assembly, [(0, true)], replicas: 2)); // 31 s: trains with fewer
    }

    [Fact]
    public void A_replica_built_too_slowly_to_answer_the_first_ask_is_no_sign_of_a_move()
    {
        var assembly = NewAssembly();
        assembly.Asking(); // nobody answered within prepare-timeout; rank 0 was being built from the checkpoint
        Assert.True(AskAndWait(assembly, [(0, true)], replicas: 2));
    }

    [Fact]
    public void A_run_that_moved_trains_at_once_with_the_replicas_that_still_hold_its_state()
    {
        var assembly = NewAssembly();
        Assert.False(AskAndWait(assembly, [(0, true), (2, true)], replicas: 3));
    }

    [Fact]
    public void Nothing_waits_with_the_whole_world_or_a_live_round_and_a_released_run_starts_a_new_wait()
    {
        var assembly = NewAssembly();
        Assert.False(AskAndWait(assembly, [(0, false), (1, false)], replicas: 2));
        Assert.False(AskAndWait(assembly, [(0, false)], replicas: 2, roundLive: true));

        now += AssembleTimeout * 2;
        Assert.False(AskAndWait(assembly, [(0, false)], replicas: 2)); // the wait began long ago
        assembly.Released();
        Assert.True(AskAndWait(assembly, [(0, false)], replicas: 2));
    }

    [Fact]
    public void After_a_round_formed_the_first_ask_of_the_next_reads_replicas_holding_state_as_a_move()
    {
        var assembly = NewAssembly();
        Assert.True(AskAndWait(assembly, [(0, false)], replicas: 2));
        assembly.Formed();
        // The round broke and every member left it (none live); rank 0 still holds the state it trained: the others are
        // gone with their nodes and come back through the probe.
        Assert.False(AskAndWait(assembly, [(0, true)], replicas: 2));
    }
}
