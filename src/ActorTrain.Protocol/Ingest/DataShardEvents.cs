using System.Collections.Immutable;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Ingest;
using ActorTrain.Data.Tokens;

namespace ActorTrain.Protocol.Ingest;

/// <summary>What a data shard journals. Output is written in chunks, each completed on disk (temp,
/// fsync, rename) before its event is persisted: after a crash, chunks beyond the last event are
/// deleted and reading resumes at that event's cursor, so no document is lost or written twice.</summary>
public static class DataShardEvents
{
    /// <summary>The shard's files: <paramref name="FileList"/> names them (journals from before file lists were
    /// kept in files carry <paramref name="Files"/> inline instead, and no list). <paramref name="Dedup"/>: the layout of
    /// its keys, which every later step must share (none in journals from before it was kept).</summary>
    public sealed record Planned(ImmutableArray<string> Files, string OutputDirectory, ShardFileList? FileList = null, Dedup.DedupLayout? Dedup = null) : IActorTrainMessage;

    /// <summary>A chunk file is complete; reading continues at (<paramref name="NextFile"/>, <paramref name="NextRecord"/>).</summary>
    public sealed record ChunkWritten(int Chunk, string Path, int NextFile, long NextRecord, long BadRecords, CleaningCounts Counts) : IActorTrainMessage;

    /// <summary>Every file is read; the shard's keys are claimed in the dedup index.</summary>
    public sealed record Collected : IActorTrainMessage
    {
        public static readonly Collected Instance = new();
    }

    /// <summary>Duplicates removed; the final shard output and its checksum.</summary>
    public sealed record Finalized(string Output, string Sha256, CleaningCounts Counts) : IActorTrainMessage;

    /// <summary>Both packed shards are complete on disk (written atomically before this is journaled).</summary>
    public sealed record Tokenized(TokenizedShard Result) : IActorTrainMessage;
}
