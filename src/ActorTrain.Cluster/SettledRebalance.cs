using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;

namespace ActorTrain.Cluster;

/// <summary>
/// Holds back a strategy's rebalancing while the coordinator still counts a region that cannot answer. A
/// rebalance asks every region to acknowledge the hand-off and waits for all of them, up to sharding's
/// handoff-timeout (60 s), with every message to the shard buffered meanwhile. Akka's own check ("a good time
/// to rebalance": nobody unreachable or joining) maps regions to members by address, so it misses the region of
/// a node that was killed and restarted at the same address while the coordinator has not yet recorded the old
/// region's death — it looks like the new incarnation. Chaos runs stalled a minute that way (ingest-sigkill:
/// "Shard [N] deallocation didn't complete within [00:01:00]"). Allocation is left to the inner strategy.
/// </summary>
public sealed class SettledRebalance(IShardAllocationStrategy inner) : IActorSystemDependentAllocationStrategy
{
    private Akka.Cluster.Cluster? cluster;
    private ILoggingAdapter? log;
    private string? lastReason;

    /// <summary>Starts a region on the nodes of <paramref name="role"/> whose coordinator allocates with
    /// <paramref name="allocation"/> (Akka's default strategy when null) and rebalances only when every region can answer.</summary>
    public static IActorRef StartRegion(ActorSystem system, string typeName, string role, Func<string, Props> entity, IMessageExtractor extractor,
        IShardAllocationStrategy? allocation = null, bool rememberEntities = false)
    {
        // The extension first: it brings sharding's and the singleton's default configuration the settings read.
        var sharding = ClusterSharding.Get(system);
        var settings = ClusterShardingSettings.Create(system).WithRole(role).WithRememberEntities(rememberEntities);
        var settled = new SettledRebalance(allocation ?? sharding.DefaultShardAllocationStrategy(settings));
        return sharding.Start(typeName, entity, settings, extractor, settled, PoisonPill.Instance);
    }

    public void Start(ActorSystem system)
    {
        cluster = Akka.Cluster.Cluster.Get(system);
        log = Logging.GetLogger(system, typeof(SettledRebalance));
        (inner as IActorSystemDependentAllocationStrategy)?.Start(system);
    }

    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations) =>
        inner.AllocateShard(requester, shardId, currentShardAllocations);

    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress)
    {
        var self = cluster ?? throw new InvalidOperationException("the coordinator did not start the allocation strategy");
        var regions = currentShardAllocations.Keys.Select(region => region.Path.Address.HasLocalScope ? self.SelfAddress : region.Path.Address);
        var members = self.State.Members.ToDictionary(m => m.Address, m => m.Status);
        string? reason = ReasonToHoldBack(regions, members);
        if (reason != lastReason && reason is not null) log?.Info("rebalancing held back: {0}", reason); // once per spell, not every tick
        lastReason = reason;
        return reason is null ? inner.Rebalance(currentShardAllocations, rebalanceInProgress) : Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);
    }

    /// <summary>Why a hand-off could not complete now: two regions at one address (one is of an earlier incarnation
    /// whose death the coordinator has not recorded), or a region whose node is not an Up member (downed, leaving,
    /// removed). Null when every region can answer.</summary>
    public static string? ReasonToHoldBack(IEnumerable<Address> regions, IReadOnlyDictionary<Address, MemberStatus> members)
    {
        var addresses = regions.ToArray();
        if (addresses.GroupBy(a => a).FirstOrDefault(g => g.Count() > 1) is { } twice)
            return $"{twice.Count()} regions at {twice.Key}: the coordinator has not yet recorded the death of an earlier incarnation's";
        foreach (var address in addresses)
        {
            if (!members.TryGetValue(address, out var status)) return $"the region at {address} is not on a cluster member";
            if (status != MemberStatus.Up) return $"the region at {address} is on a member that is {status}";
        }
        return null;
    }
}
