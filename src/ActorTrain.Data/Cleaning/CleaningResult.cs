using ActorTrain.Data.Dedup;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning;

/// <summary>What cleaning made of one document: the kept text with its dedup keys, or the stage that
/// dropped it and why.</summary>
public sealed record CleaningResult(Document? Kept, DedupKeys? Keys, string? DroppedBy, string? Reason)
{
    public CleaningOutcome Outcome => new(Kept, DroppedBy, Reason);
}
