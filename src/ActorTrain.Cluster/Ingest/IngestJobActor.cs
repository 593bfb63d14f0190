using System.Collections.Immutable;
using System.Security.Cryptography;
using ActorTrain.Data.Ingest;
using ActorTrain.Data.Output;
using ActorTrain.Tokenizers;
using ActorTrain.Protocol;
using ActorTrain.Protocol.Dedup;
using ActorTrain.Protocol.Ingest;
using ActorTrain.Cluster.Observability;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;

namespace ActorTrain.Cluster.Ingest;

/// <summary>
/// The ingest-job coordinator: plans the shards once (files in fixed order, size-balanced), tells
/// each data shard to collect, and once every shard has collected (so every dedup key is claimed)
/// tells each to finalize; then, when a tokenizer is asked for, trains it (or checks it) and tells each
/// shard to tokenize, and writes the dataset index. It learns progress by asking the shards, so it needs nothing from them
/// to survive its own restart or theirs: commands it repeats are idempotent. Nothing asks the job itself, so its region
/// remembers it: when its node dies, sharding starts it again on another and it resumes from its journal. A completed
/// job stays a while for questions, then passivates (and is forgotten until asked again).
/// </summary>
public sealed class IngestJobActor : ReceivePersistentActor, IWithTimers
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CompletedLinger = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan TokenizerRetry = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryAfterProblem = TimeSpan.FromSeconds(5);
    private readonly string job;
    private readonly IActorRef shards;
    private readonly DedupLayout dedup;
    // The journaled plan's layout; null for a job planned by a build before jobs had one.
    private DedupLayout? plannedDedup;
    private readonly TimeSpan finalizeTimeout;
    private readonly TimeSpan planAnswerWithin;
    private readonly HashSet<int> finalizing = [];
    private readonly HashSet<int> tokenizing = [];
    private readonly HashSet<int> probing = [];
    // Collecting shards asked for their state and not answered yet: a shard answers only between chunks, so asking it
    // again every tick would pile up questions it then answers all at once.
    private readonly HashSet<int> polling = [];
    private bool preparingTokenizer;
    // The plan is made in the background (listing a large tree takes minutes): the Start being planned, who waits for
    // its answer, whether they were answered "planning" already, and why the last plan failed. The request itself is
    // journaled (submitted), so that a job whose node dies while it plans is planned again when it comes back.
    private IngestJobEvents.Submitted? submitted;
    private IngestJobCommands.Start? planning;
    private readonly List<IActorRef> awaitingPlan = [];
    private bool planAnswered;
    private string? planProblem;
    private string? tokenizerProblem;
    private string? completionProblem;
    // Why a shard cannot go on (its plan refused, its finalizing or tokenizing failed), and when the work was last
    // asked of it since: asked again now and then (the cause may be mended), not four times a second.
    private readonly Dictionary<int, string> shardProblems = [];
    private readonly Dictionary<int, DateTime> retriedAt = [];
    private IngestJobState state = IngestJobState.Initial;
    // The plan's file list per shard, from the journal; not part of the state the job reports. A job planned before
    // lists were kept in files has its files inline instead (legacyPlan), written out as lists when first needed.
    private ImmutableArray<ShardFileList> fileLists = [];
    private ImmutableArray<ImmutableArray<string>> legacyPlan = [];

    /// <param name="shards">Takes <see cref="DataShardCommands"/> for any shard (the data-shard region).</param>
    /// <param name="planAnswerWithin">How long a Start waits for the plan before it is answered with status Planning.</param>
    /// <param name="dedup">This node's dedup layout: a job planned here holds its shards to it.</param>
    public IngestJobActor(string job, IActorRef shards, DedupLayout dedup, TimeSpan finalizeTimeout, TimeSpan planAnswerWithin)
    {
        this.job = job;
        this.shards = shards;
        this.dedup = dedup;
        this.finalizeTimeout = finalizeTimeout;
        this.planAnswerWithin = planAnswerWithin;
        PersistenceId = PersistencePrefix + job;

        Recover<IActorTrainMessage>(Apply);
        Recover<RecoveryCompleted>(_ =>
        {
            if (state.Status is IngestJobStatus.New) return;
            if (state.Status is IngestJobStatus.Planning)
            {
                // Its node died while it planned: planned again. A plan that failed waits to be asked again.
                if (planProblem is not null) return;
                if (SubmittedRequest() is not { } request) return;
                Context.GetLogger().Info("ingest job {Job}: planning again (its plan was not journaled)", job);
                Plan(request, requester: null);
                return;
            }
            if (state.Status is IngestJobStatus.Completed)
            {
                SetReceiveTimeout(CompletedLinger);
                return;
            }
            Context.GetLogger().Info("ingest job {Job}: resuming at {Status} ({Shards} shards)", job, state.Status, state.Shards.Length);
            Resume();
        });

        Command<IngestJobCommands.Start>(start =>
        {
            if (state.Status is not (IngestJobStatus.New or IngestJobStatus.Planning))
            {
                Sender.Tell(Report());
                return;
            }
            if (TokenizerProblem(start.Tokenizer) is string problem)
            {
                Sender.Tell(new Status.Failure(new ArgumentException(problem)));
                return;
            }
            if (planning is not null)
            {
                if (planAnswered) Sender.Tell(Report());
                else awaitingPlan.Add(Sender);
                return;
            }
            // New, or its last plan failed: the request is journaled first, then planned.
            var requester = Sender;
            Persist(Submission(start), recorded =>
            {
                Apply(recorded);
                Plan(start, requester);
            });
        });
        Command<PlanAnswerDue>(_ =>
        {
            planAnswered = true;
            foreach (var requester in awaitingPlan) requester.Tell(Report());
            awaitingPlan.Clear();
        });
        Command<PlanWritten>(written =>
        {
            var start = planning!;
            Persist(new IngestJobEvents.Planned([], start.OutputDirectory, DateTimeOffset.UtcNow, start.Tokenizer, start.ValidationFraction, written.Lists, dedup), planned =>
            {
                Apply(planned);
                EndPlanning();
                Context.GetLogger().Info("ingest job {Job}: planned {Files} files in {Shards} shards", job, state.ShardFileCounts.Sum(), state.Shards.Length);
                foreach (var requester in awaitingPlan) requester.Tell(Report());
                awaitingPlan.Clear();
                Resume();
            });
        });
        Command<PlanFailed>(failed =>
        {
            Persist(new IngestJobEvents.PlanFailed(failed.Cause.Message), recorded =>
            {
                Apply(recorded);
                EndPlanning();
                Context.GetLogger().Error("{Problem}", planProblem);
                foreach (var requester in awaitingPlan) requester.Tell(new Status.Failure(failed.Cause));
                awaitingPlan.Clear();
            });
        });
        Command<IngestJobCommands.GetStatus>(_ => Sender.Tell(Report()));
        Command<Tick>(_ => Observe());
        Command<Observed>(observed => Record(observed.Shard, observed.State));
        Command<Polled>(polled =>
        {
            polling.Remove(polled.Shard);
            if (polled.Report is { } report) Record(polled.Shard, report);
        });
        Command<Probed>(probed =>
        {
            probing.Remove(probed.Shard);
            // It answered at once, still at the stage before the work asked of it: the work is not under way
            // (a busy shard answers nothing until done), so the request was lost with a node. Ask again.
            if (probed.Stage == DataShardStage.Collected) finalizing.Remove(probed.Shard);
            if (probed.Stage == DataShardStage.Finalized && state.Status == IngestJobStatus.Tokenizing) tokenizing.Remove(probed.Shard);
        });
        Command<Status.Failure>(_ => { }); // a shard refused a Collect it was told: its next report says why
        Command<WorkFailed>(failed =>
        {
            finalizing.Remove(failed.Shard);
            tokenizing.Remove(failed.Shard);
            // Not answered in time: busy, or away with its node; asked again. Refused: why, until it works.
            if (failed.Cause is AskTimeoutException) return;
            shardProblems[failed.Shard] = $"{failed.Work} failed: {failed.Cause.Message}";
            retriedAt[failed.Shard] = DateTime.UtcNow;
        });
        Command<TokenizerPrepared>(prepared =>
        {
            preparingTokenizer = false;
            tokenizerProblem = prepared.Error is null ? null : $"preparing the tokenizer failed: {prepared.Error}";
            if (prepared.Ready is { } ready)
            {
                Persist(ready, _ => state = state.Apply(ready));
                return;
            }
            // An unreadable shard output, a full disk: said (in the status too), and tried again, as a restarted job would.
            Context.GetLogger().Error("ingest job {Job}: preparing the tokenizer failed ({Reason}); trying again in {Seconds}s", job, prepared.Error, TokenizerRetry.TotalSeconds);
            Timers.StartSingleTimer("tokenizer", RetryTokenizer.Instance, TokenizerRetry);
        });
        Command<RetryTokenizer>(_ => PrepareTokenizer());
        Command<RetryCompletion>(_ => CompleteWhenReady());
        Command<ReceiveTimeout>(_ => Context.Parent.Tell(new Passivate(PoisonPill.Instance)));
    }

    public override string PersistenceId { get; }

    protected override void PostStop() => NodeMetrics.ForgetJob(job);

    /// <summary>A job's persistence id is this and its name.</summary>
    public const string PersistencePrefix = "ingest-job-";

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string job, IActorRef shards, DedupLayout dedup, TimeSpan finalizeTimeout, TimeSpan planAnswerWithin) =>
        Akka.Actor.Props.Create(() => new IngestJobActor(job, shards, dedup, finalizeTimeout, planAnswerWithin));

    // The state every question is answered with: the journal's, and what is under way or in the way.
    private IngestJobState Report() => state with
    {
        Problem = planProblem ?? tokenizerProblem ?? completionProblem ?? shardProblems.OrderBy(p => p.Key).Select(p => $"shard {p.Key}: {p.Value}").FirstOrDefault(),
    };

    // Lists and partitions the sources and writes the shards' lists off the actor's thread (a stat per file: minutes
    // for millions), so that the job answers meanwhile; the plan is journaled when it is back.
    // A requester (none when the job plans again after a restart) is answered with the plan, or with status Planning
    // once plan-answer-within has passed.
    private void Plan(IngestJobCommands.Start start, IActorRef? requester)
    {
        planning = start;
        planProblem = null;
        planAnswered = planAnswerWithin <= TimeSpan.Zero;
        if (planAnswered) requester?.Tell(Report());
        else
        {
            if (requester is not null) awaitingPlan.Add(requester);
            Timers.StartSingleTimer("plan-answer", PlanAnswerDue.Instance, planAnswerWithin);
        }
        Task.Run(() => IngestPlan.Write(job, start))
            .PipeTo(Self, success: lists => new PlanWritten(lists), failure: e => new PlanFailed(e is AggregateException a ? a.Flatten().InnerExceptions[0] : e));
    }

    // The request as journaled: its sources inline, or, when too many for an event, in a checked list beside the plan.
    // When that list cannot be written, the request is journaled without them; its plan, written to the same place,
    // then fails and says why.
    private IngestJobEvents.Submitted Submission(IngestJobCommands.Start start)
    {
        var at = DateTimeOffset.UtcNow;
        if (start.Sources.Length <= IngestJobEvents.Submitted.JournaledSources) return IngestJobEvents.Submitted.Of(start, at);
        try
        {
            // The list goes into the output directory: claimed first, so that another job's directory is not written into.
            OutputOwnership.Claim(start.OutputDirectory, job);
            return IngestJobEvents.Submitted.Of(start, at, ShardFileList.Write(IngestPlan.SubmittedSourcesPath(start.OutputDirectory), start.Sources));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Context.GetLogger().Warning("ingest job {Job}: its {Count} sources are journaled without their names: {Reason}", job, start.Sources.Length, e.Message);
            return IngestJobEvents.Submitted.Of(start, at);
        }
    }

    // The journaled request of a job that stopped before its plan was made, its sources read back; null (and the
    // problem said) when they were not kept, or their list is lost or changed.
    private IngestJobCommands.Start? SubmittedRequest()
    {
        var request = submitted!.Request;
        if (submitted.OmittedSources == 0) return request;
        string lost = $"ingest job {job}: stopped before its plan was made, and its {submitted.OmittedSources} sources";
        if (submitted.SourceList is not { } list)
        {
            planProblem = $"{lost} were too many to journal: start it again";
            return null;
        }
        try
        {
            return request with { Sources = list.Read() };
        }
        catch (InvalidDataException e)
        {
            planProblem = $"{lost} cannot be read back ({e.Message}): start it again";
            return null;
        }
    }

    private void EndPlanning()
    {
        planning = null;
        Timers.Cancel("plan-answer");
    }

    private void Apply(IActorTrainMessage @event)
    {
        state = state.Apply(@event);
        if (@event is IngestJobEvents.Submitted request)
        {
            submitted = request;
            planProblem = null;
        }
        if (@event is IngestJobEvents.PlanFailed failed) planProblem = failed.Reason;
        if (@event is not IngestJobEvents.Planned planned) return;
        fileLists = planned.FileLists;
        legacyPlan = planned.ShardFiles;
        plannedDedup = planned.Dedup;
    }

    private DataShardId ShardId(int n) => new(job, n);

    private string ShardDirectory(int n) => IngestPlan.ShardDirectory(state.OutputDirectory, n);

    private DataShardCommands.Collect Collect(int n)
    {
        if (fileLists.IsEmpty) fileLists = [.. legacyPlan.Select((files, shard) => ShardFileList.Write(ShardFileList.PathIn(ShardDirectory(shard)), files))];
        return new DataShardCommands.Collect(ShardId(n), fileLists[n], ShardDirectory(n), plannedDedup);
    }

    private void Resume()
    {
        for (int n = 0; n < state.Shards.Length; n++)
            if (state.Shards[n].Stage == DataShardStage.Collecting)
                shards.Tell(Collect(n));
        Timers.StartPeriodicTimer("observe", Tick.Instance, TickInterval);
        if (state.Status == IngestJobStatus.PreparingTokenizer) PrepareTokenizer();
        CompleteWhenReady(); // its node died between the last shard's event and the job's
    }

    /// <summary>Null when the reference names a tokenizer this job can use or train.</summary>
    public static string? TokenizerProblem(string? reference) => reference switch
    {
        null => null,
        _ when reference.StartsWith("bpe:", StringComparison.Ordinal) =>
            int.TryParse(reference[4..], out int size) && size >= 512 && size <= 1 << 20 ? null : $"tokenizer '{reference}': bpe:SIZE needs a vocabulary size from 512 to 1048576",
        PretrainedTokenizers.Gpt2 or PretrainedTokenizers.Cl100kBase => null,
        _ when File.Exists(reference) => UnusableTokenizerFile(reference),
        _ => $"tokenizer '{reference}' is neither {PretrainedTokenizers.Gpt2}, {PretrainedTokenizers.Cl100kBase}, bpe:SIZE nor an existing tokenizer.json",
    };

    // A tokenizer.json is loaded when the job is asked for, not when its shards tokenize, hours later: one that is not
    // byte-level BPE, or lacks the special tokens training needs, is refused at once.
    private static string? UnusableTokenizerFile(string path)
    {
        try
        {
            TokenizerCatalog.Load(path);
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    // Trains the tokenizer on every finalized document (or takes the one asked for) in the background, so that the job
    // answers questions meanwhile, and journals its reference.
    private void PrepareTokenizer()
    {
        if (preparingTokenizer) return;
        preparingTokenizer = true;
        string requested = state.Tokenizer!, directory = state.OutputDirectory;
        int? size = state.TokenizerToTrain;
        var outputs = state.Shards.Select(s => (Path: s.Output!, Sha256: s.Sha256!)).ToArray();
        Task.Run(() =>
        {
            string reference = requested;
            if (size is int vocabulary)
            {
                reference = Path.Combine(directory, "tokenizer.json");
                // Checked first, so that a damaged output is named (a decompressor only says its frame is bad).
                foreach (var (path, finalized) in outputs) IngestJobOutputs.CheckShardOutput(path, finalized);
                var texts = outputs.Select(o => o.Path).SelectMany(SequentialIngest.ReadLines).Select(line => DocumentJson.Read(line).Text);
                // Durable before its hash is journaled (TokenizerReady): a power loss must not leave the name without the data.
                using var file = new AtomicFile(reference);
                HuggingFaceTokenizerJson.Write(BpeTrainer.Train(texts, vocabulary), file.Stream);
                file.Commit();
            }
            string? sha256 = File.Exists(reference) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(reference))) : null;
            return new IngestJobEvents.TokenizerReady(reference, sha256);
        }).PipeTo(Self, success: ready => new TokenizerPrepared(ready, null), failure: e => new TokenizerPrepared(null, e.GetBaseException().Message));
    }

    private void Observe()
    {
        for (int n = 0; n < state.Shards.Length; n++)
        {
            int shard = n;
            if ((finalizing.Contains(shard) || tokenizing.Contains(shard)) && probing.Add(shard))
                shards.Ask<DataShardReport>(new DataShardCommands.GetState(ShardId(shard)), TickInterval * 8)
                    .PipeTo(Self, success: s => new Probed(shard, s.Stage), failure: _ => new Probed(shard, null));
            switch (state.Status, state.Shards[n].Stage)
            {
                case (IngestJobStatus.Collecting, DataShardStage.Collecting) when polling.Add(shard):
                    shards.Ask<DataShardReport>(new DataShardCommands.GetState(ShardId(shard)), TickInterval * 8)
                        .PipeTo(Self, success: s => new Polled(shard, s), failure: _ => new Polled(shard, null));
                    break;
                case (IngestJobStatus.Finalizing, DataShardStage.Collected) when !Throttled(shard) && finalizing.Add(shard):
                    Retrying(shard);
                    shards.Ask<DataShardReport>(new DataShardCommands.Finalize(ShardId(shard)), finalizeTimeout)
                        .PipeTo(Self, success: s => new Observed(shard, s), failure: e => new WorkFailed(shard, "finalizing", e));
                    break;
                case (IngestJobStatus.Tokenizing, DataShardStage.Finalized) when !Throttled(shard) && tokenizing.Add(shard):
                    Retrying(shard);
                    shards.Ask<DataShardReport>(new DataShardCommands.Tokenize(ShardId(shard), state.Tokenizer!, state.ValidationFraction), finalizeTimeout)
                        .PipeTo(Self, success: s => new Observed(shard, s), failure: e => new WorkFailed(shard, "tokenizing", e));
                    break;
            }
        }
    }

    // A shard with a problem was asked for its work less than RetryAfterProblem ago.
    private bool Throttled(int shard) =>
        shardProblems.ContainsKey(shard) && retriedAt.TryGetValue(shard, out var at) && DateTime.UtcNow - at < RetryAfterProblem;

    private void Retrying(int shard)
    {
        if (shardProblems.ContainsKey(shard)) retriedAt[shard] = DateTime.UtcNow;
    }

    private void Record(int shard, DataShardReport observed)
    {
        var known = state.Shards[shard];
        if (observed.Problem is null) shardProblems.Remove(shard);
        else shardProblems[shard] = observed.Problem;
        if (observed.Stage == DataShardStage.New)
        {
            // The shard lost the Collect (or started over): say it again (one that refused its plan, now and then).
            if (Throttled(shard)) return;
            Retrying(shard);
            shards.Tell(Collect(shard));
        }
        else if (state.Status == IngestJobStatus.Collecting && known.Stage == DataShardStage.Collecting && observed.Stage >= DataShardStage.Collected)
        {
            Persist(new IngestJobEvents.ShardCollected(shard, observed.BadRecords, observed.Counts), collected =>
            {
                state = state.Apply(collected);
                RecordMetrics();
            });
        }
        else if (state.Status == IngestJobStatus.Finalizing && known.Stage == DataShardStage.Collected && observed.Stage >= DataShardStage.Finalized)
        {
            Persist(new IngestJobEvents.ShardFinalized(shard, observed.Output!, observed.OutputSha256!, observed.Counts), finalized =>
            {
                state = state.Apply(finalized);
                RecordMetrics();
                finalizing.Remove(shard);
                if (state.Status == IngestJobStatus.PreparingTokenizer) PrepareTokenizer();
                else CompleteWhenReady();
            });
        }
        else if (state.Status == IngestJobStatus.Tokenizing && known.Stage == DataShardStage.Finalized && observed.Stage == DataShardStage.Tokenized)
        {
            Persist(new IngestJobEvents.ShardTokenized(shard, observed.Tokens!), tokenized =>
            {
                state = state.Apply(tokenized);
                tokenizing.Remove(shard);
                CompleteWhenReady();
            });
        }
    }

    private void RecordMetrics()
    {
        var totals = state.Totals;
        NodeMetrics.IngestDocumentsIn.WithLabels(job).Set(totals.DocumentsIn);
        NodeMetrics.IngestDocumentsKept.WithLabels(job).Set(totals.DocumentsKept);
        foreach (var (stage, dropped) in totals.DroppedByStage) NodeMetrics.IngestDropped.WithLabels(job, stage).Set(dropped);
    }

    // Completes the job once every shard did its last stage: writes what it leaves beside its shards (the dataset index
    // of a tokenized job, stats.json), then journals that it completed. Outputs that cannot be written (the tokenizer
    // gone, a full disk) are said in the status and tried again, rather than failing the actor, which would only fail
    // again on recovery, or leave a completed job without them.
    private void CompleteWhenReady()
    {
        if (!state.ReadyToComplete) return;
        var completed = new IngestJobEvents.Completed(DateTimeOffset.UtcNow);
        try
        {
            if (state.Status == IngestJobStatus.Tokenizing) IngestJobOutputs.WriteDatasetIndex(state);
            IngestJobOutputs.WriteStats(job, state.Apply(completed));
            completionProblem = null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            completionProblem = $"writing the job's outputs failed: {e.Message}";
            Context.GetLogger().Error("ingest job {Job}: {Problem}; trying again in {Seconds}s", job, completionProblem, TokenizerRetry.TotalSeconds);
            Timers.StartSingleTimer("complete", RetryCompletion.Instance, TokenizerRetry);
            return;
        }
        Persist(completed, _ =>
        {
            state = state.Apply(completed);
            Timers.Cancel("observe");
            Context.GetLogger().Info("ingest job {Job}: completed, {Kept} of {In} documents kept", job, state.Totals.DocumentsKept, state.Totals.DocumentsIn);
            SetReceiveTimeout(CompletedLinger);
        });
    }

    private sealed record Observed(int Shard, DataShardReport State) : INoSerializationVerificationNeeded;

    /// <summary>A collecting shard's answer to the job's periodic question; null when it did not answer in time.</summary>
    private sealed record Polled(int Shard, DataShardReport? Report) : INoSerializationVerificationNeeded;

    /// <summary>A shard refused (or did not answer in time) the work of a stage: "finalizing" or "tokenizing".</summary>
    private sealed record WorkFailed(int Shard, string Work, Exception Cause) : INoSerializationVerificationNeeded;

    private sealed record PlanWritten(ImmutableArray<ShardFileList> Lists) : INoSerializationVerificationNeeded;

    private sealed record PlanFailed(Exception Cause) : INoSerializationVerificationNeeded;

    private sealed class PlanAnswerDue : INoSerializationVerificationNeeded
    {
        public static readonly PlanAnswerDue Instance = new();
    }

    /// <summary>A shard's stage, asked while work is outstanding on it; null when it did not answer (busy, or away).</summary>
    private sealed record Probed(int Shard, DataShardStage? Stage) : INoSerializationVerificationNeeded;

    /// <summary>The tokenizer's reference, or why there is none.</summary>
    private sealed record TokenizerPrepared(IngestJobEvents.TokenizerReady? Ready, string? Error) : INoSerializationVerificationNeeded;

    private sealed class RetryTokenizer : INoSerializationVerificationNeeded
    {
        public static readonly RetryTokenizer Instance = new();
    }

    private sealed class RetryCompletion : INoSerializationVerificationNeeded
    {
        public static readonly RetryCompletion Instance = new();
    }

    private sealed class Tick : INoSerializationVerificationNeeded
    {
        public static readonly Tick Instance = new();
    }
}
