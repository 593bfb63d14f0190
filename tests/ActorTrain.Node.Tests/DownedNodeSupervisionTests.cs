using ActorTrain.Chaos;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>
/// The chaos scenarios' stand-in for systemd (Restart=on-failure, RestartSec=5, as deploy/systemd ships it): a node
/// the cluster downs exits with 3 and is started again at its old address, and it joins; a node the test kills is left
/// to the test.
/// </summary>
public sealed class DownedNodeSupervisionTests
{
    [Fact]
    public async Task A_downed_node_is_started_again_and_joins_while_a_killed_one_stays_dead()
    {
        await using var cluster = ProcessCluster.CreateOnSqlite();
        cluster.RestartDownedNodes();
        var seed = cluster.Start("seed", "coordinator,data", seed: null);
        var downed = cluster.Start("downed", "data", seed);
        var killed = cluster.Start("killed", "data", seed);
        await Task.WhenAll(seed.WaitUpAsync(ProcessCluster.Patience), downed.WaitUpAsync(ProcessCluster.Patience), killed.WaitUpAsync(ProcessCluster.Patience));

        await PbmCommand.OkAsync(seed.CommandAddress!, "cluster", "down", "-a", $"akka.tcp://actortrain@{downed.Address}");
        using (var exit = new CancellationTokenSource(ProcessCluster.Patience)) await downed.WaitForExitAsync(exit.Token);
        Assert.Equal(3, downed.ExitCode);

        var back = await Eventually.Until(() => Task.FromResult(cluster.Nodes.Skip(3).ToList()), started => started.Count > 0,
            TimeSpan.FromSeconds(30), "the downed node to be started again", TimeSpan.FromMilliseconds(200));
        Assert.Equal("downed", Assert.Single(back).Name);
        await back[0].WaitUpAsync(ProcessCluster.Patience);
        await PbmCommand.ShowWhenUpAsync(seed.CommandAddress!, members: 3);

        // Killed (after the downed one is back: the seed alone against a dead node would down itself), then downed by
        // the others: not started again.
        await killed.KillAsync();
        await PbmCommand.ShowWhenUpAsync(seed.CommandAddress!, members: 2);
        await Task.Delay(ProcessCluster.SupervisorRestartDelay + TimeSpan.FromSeconds(2));
        Assert.Equal(4, cluster.Nodes.Count);
    }
}
