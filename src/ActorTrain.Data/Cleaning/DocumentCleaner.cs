using ActorTrain.Data.Dedup;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning;

/// <summary>The CPU work of the data path for one document: the cleaning pipeline, then the dedup
/// keys of what survives. Stateless and deterministic (what a `cleaner` entity runs).</summary>
public sealed class DocumentCleaner(CleaningPipeline pipeline, MinHashSignature minHash)
{
    public CleaningResult Clean(Document document)
    {
        var outcome = pipeline.Clean(document);
        return outcome.Kept is { } kept
            ? new CleaningResult(kept, DedupKeys.Of(kept, minHash), null, null)
            : new CleaningResult(null, null, outcome.DroppedBy, outcome.Reason);
    }

    public IReadOnlyList<CleaningResult> Clean(IReadOnlyList<Document> documents) => documents.Select(Clean).ToArray();
}
