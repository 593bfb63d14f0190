using ActorTrain.Cluster.Training;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class DowningWatchTests
{
    private const string Peer = "akka.tcp://actortrain@10.0.0.2:4053#17", Other = "akka.tcp://actortrain@10.0.0.3:4053#18";
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task The_downing_of_a_peers_node_cancels_the_operation_and_names_the_node()
    {
        var watch = new DowningWatch();
        using var operation = watch.Begin([Peer], Long);
        watch.Downed(Other);
        Assert.False(operation.Token.IsCancellationRequested);
        Assert.Null(operation.DownedPeer);
        Assert.False(operation.Ended.IsCompleted);
        watch.Downed(Peer);
        Assert.True(operation.Token.IsCancellationRequested);
        Assert.Equal(Peer, operation.DownedPeer);
        await operation.Ended.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_node_downed_before_the_operation_began_cancels_it_at_once_but_its_next_incarnation_does_not()
    {
        var watch = new DowningWatch();
        watch.Downed(Peer);
        using (var operation = watch.Begin([Peer, Other], Long))
        {
            Assert.True(operation.Token.IsCancellationRequested);
            Assert.Equal(Peer, operation.DownedPeer);
        }
        using var again = watch.Begin(["akka.tcp://actortrain@10.0.0.2:4053#99"], Long); // restarted at the same address: a new uid
        Assert.False(again.Token.IsCancellationRequested);
    }

    [Fact]
    public void News_after_the_operation_ended_touches_nothing_and_the_deadline_still_cancels()
    {
        var watch = new DowningWatch();
        var ended = watch.Begin([Peer], Long);
        ended.Dispose();
        watch.Downed(Peer); // its token source is disposed: cancelling it would throw
        using var timed = watch.Begin([Other], TimeSpan.FromMilliseconds(1));
        Assert.True(timed.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(10)));
        Assert.Null(timed.DownedPeer);
    }
}
