namespace ActorTrain.Cluster.Training;

/// <summary>
/// The allocation's own record of shards it placed whose replica is on its way: decided, but not yet seen alive on
/// its region. Such a shard holds its device, because the region cannot show it yet: the coordinator records a
/// decision only once its distributed-data write succeeds (each try may take updating-state-timeout, 5 s, and it
/// retries while a region's registration is not yet written), and the entity starts only after that, with the first
/// message. An age counted from the decision let a placement recorded late look free, and a second replica landed on
/// a node with one device while another node's device was free. So the settling time counts from when the recorded
/// placement is first seen. An entry ends when its replica is seen alive (from then on the region's answer says it
/// holds the device), when its region has shown the shard without a replica for <see cref="Gone"/> (the replica came
/// and went between two looks: a run that finished within seconds), when it was recorded <see cref="Settle"/> ago
/// without a replica showing up, or when it was never recorded within <see cref="Abandon"/> (the coordinator threw the
/// decision away: its region went).
/// </summary>
/// <remarks>
/// A region hosts a shard when the coordinator records it, and the coordinator sends the shard's home to the region
/// holding its first message at that same moment: a shard shown without its replica for more than a message's trip
/// has had the replica and lost it. Looks are seconds apart (each allocation and each rebalance tick), so without this
/// a replica released before anyone looked kept its device taken for the whole settling time, and a run started right
/// after formed with fewer replicas.
/// </remarks>
/// <typeparam name="TRegion">A shard region (its actor reference; plain names in tests).</typeparam>
public sealed class PlacementBook<TRegion>(Func<DateTime> clock) where TRegion : class
{
    public static readonly TimeSpan Gone = TimeSpan.FromSeconds(3), Settle = TimeSpan.FromSeconds(10), Abandon = TimeSpan.FromMinutes(1);
    private readonly object gate = new();
    private readonly Dictionary<string, Entry> entries = [];

    /// <summary>The allocation placed <paramref name="shard"/> on <paramref name="region"/>.</summary>
    public void Placed(string shard, TRegion region)
    {
        lock (gate) entries[shard] = new Entry(region, clock(), RecordedSeenAt: null, EmptySince: null);
    }

    /// <summary>Where an earlier decision for <paramref name="shard"/>, not yet recorded, put it: a region asks again
    /// for a shard whose placement the coordinator has not written yet, and must get the same answer.</summary>
    public TRegion? PendingFor(string shard)
    {
        lock (gate) return entries.TryGetValue(shard, out var entry) && entry.RecordedSeenAt is null ? entry.Region : null;
    }

    /// <summary>What the coordinator records (<paramref name="allocations"/>), which shards have a replica alive, and which
    /// shards each region hosts without one (<paramref name="empty"/>): a placement recorded starts settling; one whose
    /// replica is alive needs no entry; one hosted empty for <see cref="Gone"/> has lost its replica; stale entries go.</summary>
    public void Observe(IEnumerable<KeyValuePair<TRegion, IEnumerable<string>>> allocations, IEnumerable<string> alive,
        IEnumerable<KeyValuePair<TRegion, IEnumerable<string>>> empty)
    {
        var now = clock();
        var hostedEmpty = empty.SelectMany(e => e.Value.Select(shard => (e.Key, shard))).ToHashSet();
        lock (gate)
        {
            foreach (string shard in alive) entries.Remove(shard);
            foreach (var (region, shards) in allocations)
            {
                foreach (string shard in shards)
                {
                    if (entries.TryGetValue(shard, out var entry) && entry.RecordedSeenAt is null)
                        entries[shard] = entry with { Region = region, RecordedSeenAt = now };
                }
            }
            foreach (var (shard, entry) in entries.ToArray())
            {
                var emptySince = entry.RecordedSeenAt is not null && hostedEmpty.Contains((entry.Region, shard)) ? entry.EmptySince ?? now : (DateTime?)null;
                entries[shard] = entry with { EmptySince = emptySince };
                bool gone = emptySince is { } since && now - since >= Gone;
                bool settled = entry.RecordedSeenAt is { } recorded && now - recorded > Settle;
                bool abandoned = entry.RecordedSeenAt is null && now - entry.PlacedAt > Abandon;
                if (gone || settled || abandoned) entries.Remove(shard);
            }
        }
    }

    /// <summary>Shards placed on <paramref name="region"/> whose replica is on its way.</summary>
    public IReadOnlyList<string> OnTheWayTo(TRegion region)
    {
        lock (gate) return [.. entries.Where(e => e.Value.Region.Equals(region)).Select(e => e.Key)];
    }

    public bool IsOnTheWay(string shard)
    {
        lock (gate) return entries.ContainsKey(shard);
    }

    private sealed record Entry(TRegion Region, DateTime PlacedAt, DateTime? RecordedSeenAt, DateTime? EmptySince);
}
