using System.Collections.Immutable;

namespace ActorTrain.Data.Cleaning;

/// <summary>Documents in, kept, and dropped per stage (and bytes in and out): the job's statistics.
/// Immutable, so it can be part of persisted actor state.</summary>
public sealed record CleaningCounts(long DocumentsIn, long DocumentsKept, long BytesIn, long BytesOut, ImmutableSortedDictionary<string, long> DroppedByStage)
{
    public static readonly CleaningCounts Empty = new(0, 0, 0, 0, ImmutableSortedDictionary<string, long>.Empty);

    public CleaningCounts Add(CleaningOutcome outcome, long bytesIn, long bytesOut) => outcome.Kept is not null
        ? this with { DocumentsIn = DocumentsIn + 1, DocumentsKept = DocumentsKept + 1, BytesIn = BytesIn + bytesIn, BytesOut = BytesOut + bytesOut }
        : this with
        {
            DocumentsIn = DocumentsIn + 1,
            BytesIn = BytesIn + bytesIn,
            DroppedByStage = DroppedByStage.SetItem(outcome.DroppedBy!, DroppedByStage.GetValueOrDefault(outcome.DroppedBy!) + 1),
        };

    /// <summary>A kept document turned out to be a duplicate: it moves from kept to dropped by <paramref name="stage"/>.</summary>
    public CleaningCounts Dedup(string stage, long bytes) => this with
    {
        DocumentsKept = DocumentsKept - 1,
        BytesOut = BytesOut - bytes,
        DroppedByStage = DroppedByStage.SetItem(stage, DroppedByStage.GetValueOrDefault(stage) + 1),
    };

    public CleaningCounts Merge(CleaningCounts other) => new(
        DocumentsIn + other.DocumentsIn,
        DocumentsKept + other.DocumentsKept,
        BytesIn + other.BytesIn,
        BytesOut + other.BytesOut,
        other.DroppedByStage.Aggregate(DroppedByStage, (sum, pair) => sum.SetItem(pair.Key, sum.GetValueOrDefault(pair.Key) + pair.Value)));
}
