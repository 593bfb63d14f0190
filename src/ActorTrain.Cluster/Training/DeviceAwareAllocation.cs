using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace ActorTrain.Cluster.Training;

/// <summary>
/// Places trainer shards (one replica each) on devices: a region gets a shard only while its node has
/// a device free, the one with the most free devices first. A device is taken by a shard whose replica
/// is alive (asked of the region) or that was placed moments ago (its replica may still be on the way).
/// With no free device anywhere the shard stays unplaced — the run's world shrinks — and the region
/// asks again on its next retry, so a node that comes back (or joins) with a free device takes the
/// replica. Rebalancing never moves a live replica (that would cost a full state transfer); it only
/// takes back shards whose replica was released (its run finished), so their home is chosen afresh.
/// </summary>
public sealed class DeviceAwareAllocation(Akka.Cluster.Cluster cluster) : IShardAllocationStrategy
{
    // How long a freshly placed shard counts as taken before its replica shows up.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);
    private readonly ConcurrentDictionary<string, (DateTime At, IActorRef Region)> placedAt = new();
    // The coordinator does not wait for one allocation before starting the next: decide one at a time,
    // so the replicas of a new run see each other's devices taken.
    private readonly SemaphoreSlim deciding = new(1, 1);

    public async Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        IActorRef? region;
        await deciding.WaitAsync();
        try
        {
            var candidates = currentShardAllocations.Select(a => (Region: a.Key, Devices: DevicesOf(a.Key), Allocated: a.Value)).Where(c => c.Devices > 0).ToArray();
            var taken = await Task.WhenAll(candidates.Select(c => TakenAsync(c.Region, c.Allocated.Concat(PlacedOn(c.Region)))));
            region = Choose(candidates.Select((c, i) => (c.Region, c.Devices, taken[i])));
            if (region is not null) placedAt[shardId] = (DateTime.UtcNow, region);
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
        var released = await Task.WhenAll(currentShardAllocations.Select(async a =>
        {
            var live = await LiveShardsAsync(a.Key);
            return live is null ? [] : a.Value.Where(shard => !live.Contains(shard) && !Recent(shard)).ToArray();
        }));
        return released.SelectMany(shards => shards).ToImmutableHashSet();
    }

    /// <summary>The region with the most free devices (the first of equals), or none when no region has a free device.</summary>
    public static T? Choose<T>(IEnumerable<(T Region, int Devices, int Taken)> regions) where T : class =>
        regions.Where(r => r.Taken < r.Devices).OrderByDescending(r => r.Devices - r.Taken).Select(r => r.Region).FirstOrDefault();

    // Placed shards the coordinator may not have recorded yet (its allocations overlap).
    private IEnumerable<string> PlacedOn(IActorRef region) => placedAt.Where(p => p.Value.Region.Equals(region)).Select(p => p.Key);

    private async Task<int> TakenAsync(IActorRef region, IEnumerable<string> allocated)
    {
        var live = await LiveShardsAsync(region);
        return live is null ? int.MaxValue : allocated.Where(Recent).Union(live).Count(); // a region that does not answer offers nothing
    }

    // Shards of the region with a live replica; null when the region does not answer.
    private static async Task<HashSet<string>?> LiveShardsAsync(IActorRef region)
    {
        try
        {
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, QueryTimeout);
            return [.. state.Shards.Where(s => s.EntityIds.Count > 0).Select(s => s.ShardId)];
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
    }

    private bool Recent(string shard)
    {
        foreach (var stale in placedAt.Where(p => DateTime.UtcNow - p.Value.At > Settle).Select(p => p.Key).ToArray()) placedAt.TryRemove(stale, out _);
        return placedAt.ContainsKey(shard);
    }

    private int DevicesOf(IActorRef region)
    {
        var address = region.Path.Address.HasLocalScope ? cluster.SelfAddress : region.Path.Address;
        var member = cluster.State.Members.FirstOrDefault(m => m.Address.Equals(address));
        return member is null || member.Status != Akka.Cluster.MemberStatus.Up ? 0 : NodeDevices.FromRoles(member.Roles).Names.Length;
    }
}
