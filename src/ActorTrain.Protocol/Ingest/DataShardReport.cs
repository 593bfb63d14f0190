using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Tokens;

namespace ActorTrain.Protocol.Ingest;

/// <summary>
/// What a data shard answers to every command: where it is, without its file list and chunk paths. Those grow
/// with the job (a shard of 100k files plans ~10 MB of paths) while the job and the progress view ask every shard
/// for its progress four times a second; a reply past Akka's frame limit would not arrive at all.
/// <paramref name="Problem"/> says why the shard cannot go on, when it cannot (its planned file list is lost or changed).
/// </summary>
public sealed record DataShardReport(
    DataShardStage Stage,
    int Files,
    int NextFile,
    int Chunks,
    long BadRecords,
    CleaningCounts Counts,
    string? Output,
    string? OutputSha256,
    TokenizedShard? Tokens = null,
    string? Problem = null) : IActorTrainMessage;
