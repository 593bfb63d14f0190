using ActorTrain.Data.Dedup;

namespace ActorTrain.Protocol.Dedup;

/// <summary>
/// A snapshot of one bucket of the distributed dedup index: exact and near-duplicate keys, each owned by the
/// smallest document id that claimed it (<see cref="DuplicateClaims"/>, the rule the single-process
/// reference uses too), so the surviving copy of every duplicate is the same whatever the timing,
/// the number of shards or the nodes involved. The bucket itself keeps its claims in mutable tables.
/// The form snapshots had before <see cref="DedupIndexSnapshot"/>: still read, no longer written.
/// </summary>
public sealed record DedupIndexState(DuplicateClaims Exact, DuplicateClaims Near) : IActorTrainMessage
{
    public static readonly DedupIndexState Empty = new(DuplicateClaims.Empty, DuplicateClaims.Empty);
}
