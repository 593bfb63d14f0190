using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning;

/// <summary>What a cleaning stage did with a document: kept it (perhaps rewritten) or dropped it
/// with a reason that names the rule, for the per-stage counts and the quarantine file.</summary>
public readonly record struct StageResult(Document? Kept, string? DropReason)
{
    public bool IsKept => Kept is not null;

    public static StageResult Keep(Document document) => new(document, null);

    public static StageResult Drop(string reason) => new(null, reason);
}
