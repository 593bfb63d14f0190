using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace ActorTrain.Cluster.Training;

/// <summary>
/// Places trainer shards (one replica each) on devices: a region gets a shard only while its node has
/// a device free, the one with the most free devices first. A device is taken by a shard whose replica
/// is alive or that does not answer (asked of the region), or by one placed whose replica is still on its
/// way (<see cref="PlacementBook{TRegion}"/>). With no free device anywhere the shard stays unplaced — the
/// run's world shrinks — and the region asks again on its next retry, so a node that comes back (or joins)
/// with a free device takes the replica. Rebalancing never moves a live replica (that would cost a full state
/// transfer); it only takes back shards whose replica was released (its run finished), so their home is
/// chosen afresh.
/// </summary>
public sealed class DeviceAwareAllocation(Akka.Cluster.Cluster cluster) : IShardAllocationStrategy
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);
    private readonly PlacementBook<IActorRef> book = new(() => DateTime.UtcNow);
    // The coordinator does not wait for one allocation before starting the next: decide one at a time,
    // so the replicas of a new run see each other's devices taken.
    private readonly SemaphoreSlim deciding = new(1, 1);

    public async Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        IActorRef? region;
        await deciding.WaitAsync();
        try
        {
            var candidates = currentShardAllocations.Keys.Select(r => (Region: r, Devices: DevicesOf(r))).Where(c => c.Devices > 0).ToArray();
            var states = await Task.WhenAll(candidates.Select(c => StateOfAsync(c.Region)));
            Observe(currentShardAllocations, states);
            // Asked again before the coordinator recorded the earlier answer: the same answer.
            var earlier = book.PendingFor(shardId);
            if (earlier is not null && candidates.Any(c => c.Region.Equals(earlier))) region = earlier;
            else
            {
                region = Choose(candidates.Select((c, i) => (c.Region, c.Devices, Taken(c.Region, states[i]))));
                if (region is not null) book.Placed(shardId, region);
            }
        }
        finally
        {
            deciding.Release();
        }
        if (region is null)
        {
            // The coordinator reads a null region as "allocation failed, retry later" — but only when it arrives
            // asynchronously (a task already complete when returned is taken as the answer): hence the pause.
            await Task.Delay(TimeSpan.FromMilliseconds(100));
            return null!;
        }
        return region;
    }

    public async Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress)
    {
        if (rebalanceInProgress.Count > 0) return ImmutableHashSet<string>.Empty;
        var regions = currentShardAllocations.ToArray();
        var states = await Task.WhenAll(regions.Select(a => StateOfAsync(a.Key)));
        Observe(currentShardAllocations, states);
        return regions.SelectMany((a, i) => states[i] is { } state ? a.Value.Where(shard => !state.Holds(shard) && !book.IsOnTheWay(shard)) : [])
            .ToImmutableHashSet();
    }

    /// <summary>The region with the most free devices (the first of equals), or none when no region has a free device.</summary>
    public static T? Choose<T>(IEnumerable<(T Region, int Devices, int Taken)> regions) where T : class =>
        regions.Where(r => r.Taken < r.Devices).OrderByDescending(r => r.Devices - r.Taken).Select(r => r.Region).FirstOrDefault();

    private void Observe(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations, RegionState?[] states) =>
        book.Observe(allocations.Select(a => KeyValuePair.Create(a.Key, a.Value.AsEnumerable())), states.SelectMany(s => s?.Alive ?? []),
            states.OfType<RegionState>().Select(s => KeyValuePair.Create(s.Region, s.Empty.AsEnumerable())));

    // A region that does not answer offers nothing.
    private int Taken(IActorRef region, RegionState? state) =>
        state is null ? int.MaxValue : state.Alive.Union(state.Unanswered).Union(book.OnTheWayTo(region)).Count();

    // The region's shards with a replica alive, and those that did not answer it in time (as good as alive: a busy
    // shard must neither lose its device nor be taken back); null when the region itself does not answer.
    private static async Task<RegionState?> StateOfAsync(IActorRef region)
    {
        try
        {
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, QueryTimeout);
            return new RegionState(region, [.. state.Shards.Where(s => s.EntityIds.Count > 0).Select(s => s.ShardId)],
                [.. state.Shards.Where(s => s.EntityIds.Count == 0).Select(s => s.ShardId)], [.. state.Failed]);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
    }

    private int DevicesOf(IActorRef region)
    {
        var address = region.Path.Address.HasLocalScope ? cluster.SelfAddress : region.Path.Address;
        var member = cluster.State.Members.FirstOrDefault(m => m.Address.Equals(address));
        return member is null || member.Status != Akka.Cluster.MemberStatus.Up ? 0 : NodeDevices.FromRoles(member.Roles).Names.Length;
    }

    // Empty: shards the region hosts without a replica (one that left, or one whose first message is still on its way).
    private sealed record RegionState(IActorRef Region, HashSet<string> Alive, HashSet<string> Empty, HashSet<string> Unanswered)
    {
        public bool Holds(string shard) => Alive.Contains(shard) || Unanswered.Contains(shard);
    }
}
