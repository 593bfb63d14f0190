using ActorTrain.Data.Dedup;

namespace ActorTrain.Protocol.Dedup;

/// <summary>
/// A snapshot of one bucket of the distributed dedup index, its exact and near-duplicate keys each with the smallest
/// document id that claimed it (the rule of <see cref="DuplicateClaims"/>), in columns: an id per key, as
/// <see cref="DedupIndexState"/> wrote them, made a snapshot of a large bucket mostly repeated source paths.
/// </summary>
public sealed record DedupIndexSnapshot(DuplicateClaimColumns Exact, DuplicateClaimColumns Near) : IActorTrainMessage;
