namespace ActorTrain.Protocol.Dedup;

public enum DedupKind
{
    /// <summary>Content hash of the normalised text.</summary>
    Exact,
    /// <summary>A MinHash LSH band key.</summary>
    Near,
}

/// <summary>Document <paramref name="DocumentId"/> has key <paramref name="Key"/> of kind <paramref name="Kind"/>.</summary>
public sealed record ClaimedKey(DedupKind Kind, ulong Key, string DocumentId);
