using System.Collections.Immutable;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Ingest;
using ActorTrain.Data.Tokens;

namespace ActorTrain.Protocol.Ingest;

public static class IngestJobCommands
{
    /// <summary>Start (or, for a job that exists, carry on with) ingesting <paramref name="Sources"/> into
    /// <paramref name="Shards"/> data shards; directory sources are filtered by the include and exclude
    /// globs (all files when no include is given). With a <paramref name="Tokenizer"/> — "gpt2", "cl100k_base", a
    /// tokenizer.json path, or "bpe:SIZE" to train one of that vocabulary size on the cleaned documents — the
    /// documents are then tokenized into train and validation packed shards and a dataset.json.
    /// Answered with the job's <see cref="IngestJobState"/>.</summary>
    public sealed record Start(string Job, ImmutableArray<string> Sources, ImmutableArray<string> Include, ImmutableArray<string> Exclude, int Shards, string OutputDirectory,
        string? Tokenizer = null, double ValidationFraction = 0.01) : IActorTrainMessage;

    public sealed record GetStatus(string Job) : IActorTrainMessage;
}

public static class IngestJobEvents
{
    /// <summary>The job was asked for, as <paramref name="Request"/> says: journaled before its plan is made, so that the job
    /// is listed while it plans, and planned again (elsewhere, if need be) when its node dies meanwhile. A request again
    /// before a plan is journaled (the last one failed) replaces it. A request naming more sources than
    /// <see cref="JournaledSources"/> (a selection of files, which plans in moments) is journaled without them:
    /// <paramref name="OmittedSources"/> says how many, and <paramref name="SourceList"/> is the checked file beside the
    /// plan that holds them (none when it could not be written: such a job must be asked again to plan again).</summary>
    public sealed record Submitted(IngestJobCommands.Start Request, DateTimeOffset SubmittedAt, int OmittedSources = 0, ShardFileList? SourceList = null)
        : IActorTrainMessage
    {
        public const int JournaledSources = 256;

        /// <param name="sourceList">Where the sources were written, when there are more than <see cref="JournaledSources"/>.</param>
        public static Submitted Of(IngestJobCommands.Start request, DateTimeOffset at, ShardFileList? sourceList = null) => request.Sources.Length > JournaledSources
            ? new Submitted(request with { Sources = [] }, at, request.Sources.Length, sourceList)
            : new Submitted(request, at);
    }

    /// <summary>The submitted request could not be planned (a source that cannot be listed, an output that cannot be
    /// written): the job waits to be asked again, and says why meanwhile, restarted or not.</summary>
    public sealed record PlanFailed(string Reason) : IActorTrainMessage;

    /// <summary>The partition plan, fixed for the job's life: a file list per shard (<paramref name="FileLists"/>). Journals
    /// from before file lists were kept in files carry the files inline instead (<paramref name="ShardFiles"/>).</summary>
    /// <param name="Dedup">The job's dedup layout, the planning node's: every shard and cleaner of the job is held to it.
    /// Absent (null) from an older build's journal, whose shards each journaled their own node's.</param>
    public sealed record Planned(ImmutableArray<ImmutableArray<string>> ShardFiles, string OutputDirectory, DateTimeOffset StartedAt,
        string? Tokenizer = null, double ValidationFraction = 0.01, ImmutableArray<ShardFileList> FileLists = default,
        Dedup.DedupLayout? Dedup = null) : IActorTrainMessage
    {
        // Absent from an older build's journal (and serializers cannot write a default array): none.
        public ImmutableArray<ShardFileList> FileLists { get; init; } = FileLists.IsDefault ? [] : FileLists;

        public ImmutableArray<int> FileCounts() => FileLists.IsEmpty ? [.. ShardFiles.Select(files => files.Length)] : [.. FileLists.Select(list => list.Count)];
    }

    public sealed record ShardCollected(int Shard, long BadRecords, CleaningCounts Counts) : IActorTrainMessage;

    public sealed record ShardFinalized(int Shard, string Output, string Sha256, CleaningCounts Counts) : IActorTrainMessage;

    /// <summary>The tokenizer to use: the one asked for, or the one trained (its tokenizer.json path).</summary>
    public sealed record TokenizerReady(string Reference, string? Sha256) : IActorTrainMessage;

    public sealed record ShardTokenized(int Shard, TokenizedShard Result) : IActorTrainMessage;

    public sealed record Completed(DateTimeOffset CompletedAt) : IActorTrainMessage;
}

public enum IngestJobStatus
{
    New,
    /// <summary>Asked for, and listing and partitioning its sources (or its plan failed: the state's problem says why).</summary>
    Planning,
    Collecting,
    Finalizing,
    PreparingTokenizer,
    Tokenizing,
    Completed,
}

/// <summary>Where one shard of the job is, as the job last heard.</summary>
public sealed record ShardProgress(DataShardStage Stage, long BadRecords, CleaningCounts Counts, string? Output, string? Sha256, TokenizedShard? Tokens = null);

/// <summary>
/// The job's state, a pure function of its events: file counts per shard, per-shard progress, totals. The plan's file
/// lists are files in the shards' directories, named to the shards by the job actor; this state is what every status
/// query is answered with. <paramref name="Problem"/> is the one thing not from the journal: why the job cannot go on
/// (its plan failed, or a shard cannot read its plan), said by the job actor while it lasts. <paramref name="Request"/> is the
/// request as journaled (its sources left out when there were too many to journal; null for a job journaled before requests
/// were), so that asking a job again with other settings can be told apart from resuming it.
/// </summary>
public sealed record IngestJobState(
    IngestJobStatus Status,
    string OutputDirectory,
    ImmutableArray<int> ShardFileCounts,
    ImmutableArray<ShardProgress> Shards,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    string? Tokenizer = null,
    double ValidationFraction = 0,
    string? TokenizerSha256 = null,
    string? Problem = null,
    IngestJobCommands.Start? Request = null) : IActorTrainMessage
{
    public static readonly IngestJobState Initial = new(IngestJobStatus.New, "", [], [], null, null);

    /// <summary>The vocabulary size asked for by a "bpe:SIZE" tokenizer, else null.</summary>
    public int? TokenizerToTrain => Tokenizer?.StartsWith("bpe:", StringComparison.Ordinal) == true && int.TryParse(Tokenizer[4..], out int size) ? size : null;

    public CleaningCounts Totals => Shards.Aggregate(CleaningCounts.Empty, (sum, shard) => sum.Merge(shard.Counts));

    public long BadRecords => Shards.Sum(s => s.BadRecords);

    /// <summary>Every shard did the job's last stage (finalized without a tokenizer, else tokenized): only the
    /// <see cref="IngestJobEvents.Completed"/> event is left.</summary>
    public bool ReadyToComplete =>
        (Status == IngestJobStatus.Finalizing && Tokenizer is null && Shards.All(s => s.Stage == DataShardStage.Finalized))
        || (Status == IngestJobStatus.Tokenizing && Shards.All(s => s.Stage == DataShardStage.Tokenized));

    /// <exception cref="InvalidOperationException">The event does not fit the state.</exception>
    public IngestJobState Apply(IActorTrainMessage @event) => @event switch
    {
        IngestJobEvents.Submitted submitted when Status is IngestJobStatus.New or IngestJobStatus.Planning => this with
        {
            Status = IngestJobStatus.Planning,
            Request = submitted.Request,
            OutputDirectory = submitted.Request.OutputDirectory,
            Tokenizer = submitted.Request.Tokenizer,
            ValidationFraction = submitted.Request.ValidationFraction,
        },
        IngestJobEvents.PlanFailed when Status == IngestJobStatus.Planning => this,
        // New: journaled by a build that did not journal the request.
        IngestJobEvents.Planned planned when Status is IngestJobStatus.New or IngestJobStatus.Planning => this with
        {
            Status = IngestJobStatus.Collecting,
            OutputDirectory = planned.OutputDirectory,
            ShardFileCounts = planned.FileCounts(),
            StartedAt = planned.StartedAt,
            Tokenizer = planned.Tokenizer,
            ValidationFraction = planned.ValidationFraction,
            Shards = [.. planned.FileCounts().Select(_ => new ShardProgress(DataShardStage.Collecting, 0, CleaningCounts.Empty, null, null))],
        },
        IngestJobEvents.ShardCollected collected when Status == IngestJobStatus.Collecting => Advance(this with
        {
            Shards = Shards.SetItem(collected.Shard, Shards[collected.Shard] with { Stage = DataShardStage.Collected, BadRecords = collected.BadRecords, Counts = collected.Counts }),
        }),
        IngestJobEvents.ShardFinalized finalized when Status == IngestJobStatus.Finalizing => Advance(this with
        {
            Shards = Shards.SetItem(finalized.Shard, Shards[finalized.Shard] with { Stage = DataShardStage.Finalized, Counts = finalized.Counts, Output = finalized.Output, Sha256 = finalized.Sha256 }),
        }),
        IngestJobEvents.TokenizerReady ready when Status == IngestJobStatus.PreparingTokenizer =>
            this with { Status = IngestJobStatus.Tokenizing, Tokenizer = ready.Reference, TokenizerSha256 = ready.Sha256 },
        IngestJobEvents.ShardTokenized tokenized when Status == IngestJobStatus.Tokenizing => this with
        {
            Shards = Shards.SetItem(tokenized.Shard, Shards[tokenized.Shard] with { Stage = DataShardStage.Tokenized, Tokens = tokenized.Result }),
        },
        IngestJobEvents.Completed completed when ReadyToComplete =>
            this with { Status = IngestJobStatus.Completed, CompletedAt = completed.CompletedAt },
        _ => throw new InvalidOperationException($"{@event.GetType().Name} does not apply to an ingest job in status {Status}"),
    };

    // Every shard collected (so every key is claimed): finalizing may start. Every shard finalized,
    // with a tokenizer asked for: it is prepared (trained, or checked), then the shards tokenize.
    private static IngestJobState Advance(IngestJobState state) => state.Status switch
    {
        IngestJobStatus.Collecting when state.Shards.All(s => s.Stage == DataShardStage.Collected) => state with { Status = IngestJobStatus.Finalizing },
        IngestJobStatus.Finalizing when state.Tokenizer is not null && state.Shards.All(s => s.Stage == DataShardStage.Finalized) => state with { Status = IngestJobStatus.PreparingTokenizer },
        _ => state,
    };
}
