using ActorTrain.Data.Dedup;

namespace ActorTrain.Protocol.Dedup;

/// <summary>
/// One bucket of the distributed dedup index: exact and near-duplicate keys, each owned by the
/// smallest document id that claimed it (<see cref="DuplicateClaims"/>, the rule the single-process
/// reference uses too), so the surviving copy of every duplicate is the same whatever the timing,
/// the number of shards or the nodes involved.
/// </summary>
public sealed record DedupIndexState(DuplicateClaims Exact, DuplicateClaims Near) : IActorTrainMessage
{
    public static readonly DedupIndexState Empty = new(DuplicateClaims.Empty, DuplicateClaims.Empty);

    public DedupIndexState Apply(DedupIndexEvents.KeysClaimed claimed)
    {
        var (exact, near) = (Exact, Near);
        foreach (var key in claimed.Keys)
        {
            if (key.Kind == DedupKind.Exact) exact = exact.Claim(key.Key, key.DocumentId);
            else near = near.Claim(key.Key, key.DocumentId);
        }
        return new DedupIndexState(exact, near);
    }

    public string? OwnerOf(ClaimedKey key) => (key.Kind == DedupKind.Exact ? Exact : Near).OwnerOf(key.Key);
}
