using System.Collections.Immutable;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Ingest;
using ActorTrain.Data.Tokens;

namespace ActorTrain.Protocol.Ingest;

/// <summary>A data shard's persisted state: its file list, its read cursor, its chunks and counts.
/// Changed only by <see cref="Apply"/>, a pure function of the events. <see cref="Files"/> holds the files
/// inline only for a shard planned before file lists were kept in files.</summary>
public sealed record DataShardState(
    DataShardStage Stage,
    ImmutableArray<string> Files,
    string OutputDirectory,
    int NextFile,
    long NextRecord,
    ImmutableArray<string> Chunks,
    long BadRecords,
    CleaningCounts Counts,
    string? Output,
    string? OutputSha256,
    TokenizedShard? Tokens = null,
    ShardFileList? FileList = null,
    Dedup.DedupLayout? Dedup = null) : IActorTrainMessage
{
    public static readonly DataShardState Initial = new(DataShardStage.New, [], "", 0, 0, [], 0, CleaningCounts.Empty, null, null);

    public int FileCount => FileList?.Count ?? Files.Length;

    public bool AllFilesRead => NextFile >= FileCount;

    /// <summary>The state as the shard reports it: counts instead of the file list and chunk paths.</summary>
    public DataShardReport Report => new(Stage, FileCount, NextFile, Chunks.Length, BadRecords, Counts, Output, OutputSha256, Tokens);

    /// <exception cref="InvalidOperationException">The event does not fit the state (a bug or a corrupt journal).</exception>
    public DataShardState Apply(IActorTrainMessage @event) => @event switch
    {
        DataShardEvents.Planned planned when Stage == DataShardStage.New =>
            this with { Stage = DataShardStage.Collecting, Files = planned.Files, FileList = planned.FileList, OutputDirectory = planned.OutputDirectory, Dedup = planned.Dedup },
        DataShardEvents.ChunkWritten chunk when Stage == DataShardStage.Collecting && chunk.Chunk == Chunks.Length =>
            this with
            {
                NextFile = chunk.NextFile,
                NextRecord = chunk.NextRecord,
                Chunks = Chunks.Add(chunk.Path),
                BadRecords = BadRecords + chunk.BadRecords,
                Counts = Counts.Merge(chunk.Counts),
            },
        DataShardEvents.Collected when Stage == DataShardStage.Collecting && AllFilesRead => this with { Stage = DataShardStage.Collected },
        DataShardEvents.Finalized finalized when Stage == DataShardStage.Collected =>
            this with { Stage = DataShardStage.Finalized, Output = finalized.Output, OutputSha256 = finalized.Sha256, Counts = finalized.Counts },
        DataShardEvents.Tokenized tokenized when Stage == DataShardStage.Finalized => this with { Stage = DataShardStage.Tokenized, Tokens = tokenized.Result },
        _ => throw new InvalidOperationException($"{@event.GetType().Name} does not apply to a data shard in stage {Stage} (chunks: {Chunks.Length}, next file {NextFile} of {FileCount})"),
    };
}
