namespace ActorTrain.Protocol.Dedup;

/// <summary>A dedup key as a bucket files it: a key of one kind, whoever claimed it.</summary>
public readonly record struct DedupKey(DedupKind Kind, ulong Key);
