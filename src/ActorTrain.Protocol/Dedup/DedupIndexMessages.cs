using System.Collections.Immutable;

namespace ActorTrain.Protocol.Dedup;

public static class DedupIndexCommands
{
    /// <summary>Records claims (idempotent: claiming twice changes nothing); answered with <see cref="DedupIndexReplies.Claimed"/>.</summary>
    public sealed record Claim(DedupIndexId Index, ClaimBatch Claims) : IActorTrainMessage;

    /// <summary>Answered with the owner of each key, in order (null where nobody claimed it). Asks with keys alone:
    /// who asks does not matter to the answer.</summary>
    public sealed record GetOwners(DedupIndexId Index, ImmutableArray<DedupKey> Keys) : IActorTrainMessage;
}

public static class DedupIndexReplies
{
    public sealed record Claimed(int Keys) : IActorTrainMessage;

    public sealed record Owners(ImmutableArray<string?> DocumentIds) : IActorTrainMessage;
}

public static class DedupIndexEvents
{
    public sealed record ClaimsRecorded(ClaimBatch Claims) : IActorTrainMessage;

    /// <summary>The form journals had before <see cref="ClaimsRecorded"/>: still read, no longer written.</summary>
    public sealed record KeysClaimed(ImmutableArray<ClaimedKey> Keys) : IActorTrainMessage;
}
