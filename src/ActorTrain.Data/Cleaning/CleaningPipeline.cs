using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning;

/// <summary>The outcome of the whole pipeline for one document.</summary>
/// <param name="Kept">The cleaned document, or null when a stage dropped it.</param>
/// <param name="DroppedBy">The stage that dropped it.</param>
/// <param name="Reason">That stage's reason, for the quarantine file.</param>
public readonly record struct CleaningOutcome(Document? Kept, string? DroppedBy, string? Reason);

/// <summary>
/// The configured stages in order; the first stage that drops a document ends its way. Counts per
/// stage are kept by the caller (a data shard), so the pipeline itself stays a pure function.
/// </summary>
public sealed class CleaningPipeline(IReadOnlyList<IDocumentStage> stages)
{
    public IReadOnlyList<IDocumentStage> Stages => stages;

    public CleaningOutcome Clean(Document document)
    {
        foreach (var stage in stages)
        {
            var result = stage.Apply(document);
            if (!result.IsKept) return new CleaningOutcome(null, stage.Name, result.DropReason);
            document = result.Kept!;
        }
        return new CleaningOutcome(document, null, null);
    }
}
