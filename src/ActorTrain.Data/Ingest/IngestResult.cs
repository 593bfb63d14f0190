using ActorTrain.Data.Cleaning;

namespace ActorTrain.Data.Ingest;

/// <param name="Counts">Per-stage counts, the dedup stages included.</param>
/// <param name="BadRecords">Records that never became documents (unreadable, malformed, too large).</param>
/// <param name="Output">The cleaned, deduplicated documents (.jsonl.zst).</param>
/// <param name="Quarantine">Every bad record and dropped document with its stage and reason (.jsonl.zst).</param>
public sealed record IngestResult(CleaningCounts Counts, long BadRecords, string Output, string Quarantine, TimeSpan Duration);
