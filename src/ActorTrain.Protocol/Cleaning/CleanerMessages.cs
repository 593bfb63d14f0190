using System.Collections.Immutable;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Documents;

namespace ActorTrain.Protocol.Cleaning;

/// <summary>Cleaner <paramref name="Number"/> of job <paramref name="Job"/>, the one its data shard
/// of the same number uses; entity id "{job}/{n}". Stateless: no persistence id.</summary>
public sealed record CleanerId(string Job, int Number)
{
    public string EntityId => $"{Job}/{Number}";

    /// <exception cref="FormatException">Not "{job}/{number}".</exception>
    public static CleanerId Parse(string entityId)
    {
        int slash = entityId.LastIndexOf('/');
        if (slash <= 0 || !int.TryParse(entityId[(slash + 1)..], out int number) || number < 0)
            throw new FormatException($"'{entityId}' is not a cleaner id (expected JOB/NUMBER)");
        return new CleanerId(entityId[..slash], number);
    }
}

public static class CleanerCommands
{
    /// <summary>Clean these documents; answered with one <see cref="CleaningResult"/> each, in order. <paramref name="Layout"/>:
    /// the shard's job's, which the cleaner's node must share (a failure otherwise).</summary>
    public sealed record Clean(CleanerId Cleaner, ImmutableArray<Document> Documents, Dedup.DedupLayout? Layout = null) : IActorTrainMessage;
}

public static class CleanerReplies
{
    public sealed record Cleaned(ImmutableArray<CleaningResult> Results) : IActorTrainMessage;
}
