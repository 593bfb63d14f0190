using ActorTrain.Cluster.Training;
using Xunit;

namespace ActorTrain.Cluster.Tests;

/// <summary>The allocation's record of replicas on their way, on a clock the test moves.</summary>
public sealed class PlacementBookTests
{
    private DateTime now = new(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc);

    private PlacementBook<string> NewBook() => new(() => now);

    private static KeyValuePair<string, IEnumerable<string>>[] Recorded(string region, params string[] shards) => [KeyValuePair.Create(region, shards.AsEnumerable())];

    [Fact]
    public void A_placement_the_coordinator_records_late_holds_its_device_until_it_has_settled_since_the_recording()
    {
        var book = NewBook();
        book.Placed("run/0", "node-1");
        // The coordinator's write of the decision is retried behind a region's registration: 15 s, longer than settling.
        now += TimeSpan.FromSeconds(15);
        book.Observe(Recorded("node-1"), alive: [], empty: []);
        Assert.Equal(["run/0"], book.OnTheWayTo("node-1"));
        book.Observe(Recorded("node-1", "run/0"), alive: [], empty: []);
        now += PlacementBook<string>.Settle - TimeSpan.FromSeconds(1);
        book.Observe(Recorded("node-1", "run/0"), alive: [], empty: []);
        Assert.Equal(["run/0"], book.OnTheWayTo("node-1")); // recorded, its replica not yet seen
        Assert.True(book.IsOnTheWay("run/0"));

        now += TimeSpan.FromSeconds(2);
        book.Observe(Recorded("node-1", "run/0"), alive: [], empty: []);
        Assert.Empty(book.OnTheWayTo("node-1")); // recorded and settled without a replica: the device is free again
        Assert.False(book.IsOnTheWay("run/0"));
    }

    [Fact]
    public void A_replica_seen_alive_needs_no_entry_and_a_decision_never_recorded_is_dropped_after_a_minute()
    {
        var book = NewBook();
        book.Placed("run/0", "node-1");
        book.Placed("run/1", "node-2");
        book.Observe(Recorded("node-1", "run/0"), alive: ["run/0"], empty: []);
        Assert.Empty(book.OnTheWayTo("node-1"));
        Assert.Equal(["run/1"], book.OnTheWayTo("node-2"));

        now += PlacementBook<string>.Abandon - TimeSpan.FromSeconds(1);
        book.Observe([], alive: [], empty: []);
        Assert.Equal(["run/1"], book.OnTheWayTo("node-2"));
        now += TimeSpan.FromSeconds(2);
        book.Observe([], alive: [], empty: []);
        Assert.Empty(book.OnTheWayTo("node-2"));
    }

    [Fact]
    public void A_replica_that_came_and_went_between_two_looks_frees_its_device_once_its_shard_has_shown_empty_for_a_while()
    {
        var book = NewBook();
        book.Placed("run/0", "node-1");
        book.Placed("run/1", "node-2");
        // Neither replica was ever seen alive (the run finished within seconds); both shards are recorded, and hosted empty.
        // On another region than its own, an empty shard says nothing of the placement.
        book.Observe([.. Recorded("node-1", "run/0"), .. Recorded("node-2", "run/1")], alive: [], empty: [.. Recorded("node-1", "run/0", "run/1")]);
        Assert.Equal(["run/0"], book.OnTheWayTo("node-1")); // empty once: its first message may still be on its way

        now += PlacementBook<string>.Gone - TimeSpan.FromSeconds(1);
        book.Observe([.. Recorded("node-1", "run/0"), .. Recorded("node-2", "run/1")], alive: [], empty: [.. Recorded("node-1", "run/0", "run/1")]);
        Assert.True(book.IsOnTheWay("run/0"));
        now += TimeSpan.FromSeconds(1);
        book.Observe([.. Recorded("node-1", "run/0"), .. Recorded("node-2", "run/1")], alive: [], empty: [.. Recorded("node-1", "run/0", "run/1")]);
        Assert.Empty(book.OnTheWayTo("node-1")); // empty for as long as a message takes many times over: the replica left
        Assert.Equal(["run/1"], book.OnTheWayTo("node-2")); // settles as before, Settle after its recording
    }

    [Fact]
    public void A_shard_asked_for_again_before_its_placement_is_recorded_gets_the_same_region()
    {
        var book = NewBook();
        Assert.Null(book.PendingFor("run/0"));
        book.Placed("run/0", "node-2");
        Assert.Equal("node-2", book.PendingFor("run/0"));
        book.Observe(Recorded("node-2", "run/0"), alive: [], empty: []);
        Assert.Null(book.PendingFor("run/0")); // recorded: the coordinator answers it itself from now on
        Assert.Equal(["run/0"], book.OnTheWayTo("node-2"));
    }
}
