using ActorTrain.Chaos;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>
/// A node SIGKILLed and started again at its old address, as a supervisor (systemd, a StatefulSet) restarts it,
/// must join again: the others still know the dead incarnation there until they remove it, so the new one waits
/// until they have (<see cref="ActorTrain.Cluster.IncarnationMark"/>), and must not be confused with it. A join the
/// seed's remoting leaves unanswered is tried again by a new incarnation.
/// </summary>
public sealed class RestartedNodeProcessTests
{
    [Fact]
    public async Task A_node_killed_and_restarted_at_its_old_address_joins_again_every_time()
    {
        await using var cluster = ProcessCluster.CreateOnSqlite();
        var nodes = Enumerable.Range(1, 3).Select(i => cluster.Start($"data-{i}", "coordinator,data", i == 1 ? null : cluster.Nodes[0])).ToList();
        await Task.WhenAll(nodes.Select(n => n.WaitUpAsync(ProcessCluster.Patience)));
        var victim = nodes[2];
        // Killed after 2-5 s, started again 1-5 s later: sometimes before the others see the old incarnation unreachable.
        var random = new Random(3);
        for (int restart = 1; restart <= 4; restart++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2 + random.NextDouble() * 3));
            await victim.KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(1 + random.NextDouble() * 4));
            victim = cluster.Restart(victim);
            // It waits out the others' removal of the dead incarnation (12.5 s after its last sign of life under the local
            // profile), then joins; throws past 50 s (or when the node gives up joining after 60 s and exits).
            await victim.WaitUpAsync(TimeSpan.FromSeconds(50));
            Assert.Contains("an earlier incarnation at this address died without leaving; waited", victim.Output);
        }
        // Nobody was downed along with a dead incarnation.
        Assert.False(nodes[0].HasExited || nodes[1].HasExited, $"{nodes[0].Output}\n{nodes[1].Output}");
    }

    [Fact]
    public async Task A_node_whose_join_goes_unanswered_starts_again_as_a_new_incarnation_and_joins_with_it()
    {
        await using var cluster = ProcessCluster.CreateOnSqlite();
        int seedPort = NodeProcess.FreePort();
        var joiner = cluster.Start("joiner", "coordinator,data", [$"127.0.0.1:{seedPort}"], NodePlace.Loopback, NodeProcess.FreePort(), NodeProcess.FreePort());
        // Nobody at the seed's address: the first incarnation's join goes unanswered.
        await Eventually.Until(() => Task.FromResult(joiner.Output), output => output.Contains("starting again as a new incarnation at the same address"),
            TimeSpan.FromSeconds(40), "the joiner to start again");
        Assert.False(joiner.HasExited);

        cluster.Start("seed", "coordinator,data", seed: null, port: seedPort);
        await joiner.WaitUpAsync(TimeSpan.FromSeconds(40)); // its second incarnation joins (and its HTTP port was taken again)
    }
}
