using ActorTrain.Data.Cleaning.Normalise;

namespace ActorTrain.Data.Collection;

/// <summary>How sources are read (actortrain.data.collect).</summary>
public sealed record ReaderSettings
{
    /// <summary>A record (JSONL line, text file part, page) larger than this is quarantined, not read:
    /// memory per shard stays bounded whatever the file.</summary>
    public int MaxRecordBytes { get; init; } = 4 * 1024 * 1024;
    /// <summary>JSONL field holding the text; the other fields become metadata.</summary>
    public string JsonTextField { get; init; } = "text";
    /// <summary>Parquet column holding the text.</summary>
    public string ParquetTextColumn { get; init; } = "text";
    public InvalidUtf8 InvalidUtf8 { get; init; } = InvalidUtf8.Repair;
}
