using Akka.Actor;

namespace ActorTrain.Cluster.Bootstrap;

/// <summary>What a bootstrapping node does after one round of probing its contact points.</summary>
public abstract record BootstrapDecision
{
    /// <summary>A contact point is in a cluster: join it through its Up members.</summary>
    public sealed record JoinExisting(IReadOnlyList<Address> Seeds) : BootstrapDecision;

    /// <summary>No cluster anywhere, enough contact points seen for long enough, and this node has the
    /// lowest address among them: it founds the cluster the others will then join.</summary>
    public sealed record FoundCluster : BootstrapDecision;

    /// <summary>Not yet: <paramref name="Why"/> says what is awaited.</summary>
    public sealed record Wait(string Why) : BootstrapDecision;

    /// <param name="answers">The reports of the contact points that answered this round (this node's own included).</param>
    /// <param name="stableFor">How long the set of answering nodes has been the same.</param>
    public static BootstrapDecision Decide(IReadOnlyList<SeedNodesReport> answers, Address self, BootstrapSettings settings, TimeSpan stableFor)
    {
        var members = answers.SelectMany(a => a.SeedNodes).Distinct().Select(Address.Parse).ToList();
        if (members.Count > 0) return new JoinExisting(members);
        if (answers.Count < settings.RequiredContactPoints)
            return new Wait($"{answers.Count} of {settings.RequiredContactPoints} contact points answer");
        if (stableFor < settings.StableMargin)
            return new Wait($"the {answers.Count} contact points must stay the same for {settings.StableMargin.TotalSeconds:0.#}s");
        var lowest = answers.Select(a => Address.Parse(a.SelfNode)).Order(AddressOrder.Instance).First();
        return lowest == self ? new FoundCluster() : new Wait($"{lowest} has the lowest address and founds the cluster");
    }

    // One order every node agrees on: host, then port.
    private sealed class AddressOrder : IComparer<Address>
    {
        public static readonly AddressOrder Instance = new();

        public int Compare(Address? x, Address? y)
        {
            int byHost = string.CompareOrdinal(x?.Host, y?.Host);
            return byHost != 0 ? byHost : Nullable.Compare(x?.Port, y?.Port);
        }
    }
}
