using System.Collections.Immutable;
using System.Security.Cryptography;
using ActorTrain.Data.Dedup;
using ActorTrain.Data.Documents;
using ActorTrain.Data.Ingest;
using ActorTrain.Data.Output;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Tokens;
using ActorTrain.Tokenizers;
using ActorTrain.Protocol;
using ActorTrain.Protocol.Cleaning;
using ActorTrain.Protocol.Dedup;
using ActorTrain.Protocol.Ingest;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorTrain.Cluster.Persistence;

namespace ActorTrain.Cluster.Ingest;

/// <summary>
/// A data shard: reads and cleans its files one chunk at a time. Each chunk is complete on disk and
/// its documents' dedup keys are claimed in the job's dedup index before the chunk is journaled; on
/// recovery, chunk files the journal does not know (written just before a crash) are deleted and
/// collection continues at the journaled cursor, so every record is handled exactly once whatever
/// moment the process died (claims are idempotent, so claiming a chunk twice is harmless).
/// Finalizing keeps the documents that own all their keys: the smallest id among duplicates.
/// </summary>
public sealed class DataShardActor : NewestSnapshotOnly, IWithTimers
{
    private const int SnapshotEvery = 50;
    private static readonly TimeSpan CollectRetry = TimeSpan.FromSeconds(5);
    private readonly DataShardId id;
    private readonly DataShardSettings settings;
    private readonly IActorRef dedupIndex;
    private readonly IActorRef cleaners;
    private readonly MemberRemovals removals;
    // Reads this shard's files; keeps the file it stopped in open for the next chunk.
    private readonly ShardCollector collector;
    private DataShardState state = DataShardState.Initial;
    // The planned files, read from the state's list once needed (inline in the state for a shard planned before lists).
    private ImmutableArray<string>? files;
    // Why the shard cannot go on (its plan is unreadable), for every report until a plan is read; not journaled.
    private string? problem;

    /// <param name="dedupIndex">Takes <see cref="DedupIndexCommands"/> for any bucket of the job (the
    /// dedup-index shard region, or a local router).</param>
    /// <param name="cleaners">Takes <see cref="CleanerCommands"/> (the cleaner shard region, or a local router).</param>
    public DataShardActor(DataShardId id, DataShardSettings settings, IActorRef dedupIndex, IActorRef cleaners)
    {
        PersistenceId = id.PersistenceId;
        this.id = id;
        this.settings = settings;
        this.dedupIndex = dedupIndex;
        this.cleaners = cleaners;
        removals = MemberRemovals.Get(Context.System);
        collector = new ShardCollector(settings.Readers);

        Recover<SnapshotOffer>(offer => state = (DataShardState)offer.Snapshot);
        Recover<IActorTrainMessage>(@event => state = state.Apply(@event));
        Recover<RecoveryCompleted>(_ =>
        {
            if (state.Stage == DataShardStage.Collecting)
            {
                RemoveUnjournaledChunks();
                Self.Tell(Continue.Instance);
            }
        });

        Command<DataShardCommands.Collect>(collect =>
        {
            if (state.Stage != DataShardStage.New)
            {
                Sender.Tell(Report);
                return;
            }
            // Read (and checked) before the plan is journaled: a list that cannot be read is refused, not planned.
            ImmutableArray<string> listed;
            try
            {
                listed = collect.Files.Read();
            }
            catch (InvalidDataException e)
            {
                Context.GetLogger().Error("data shard {0}: {1}", PersistenceId, e.Message);
                problem = e.Message;
                Sender.Tell(new Status.Failure(e));
                return;
            }
            files = listed;
            problem = null;
            var requester = Sender;
            Persist(new DataShardEvents.Planned([], collect.OutputDirectory, collect.Files, collect.Dedup ?? settings.Dedup), planned =>
            {
                Directory.CreateDirectory(planned.OutputDirectory);
                state = state.Apply(planned);
                requester.Tell(Report);
                Self.Tell(Continue.Instance);
            });
        });
        Command<DataShardCommands.GetState>(_ => Sender.Tell(Report));
        Command<DataShardCommands.Finalize>(_ =>
        {
            if (state.Stage != DataShardStage.Collected)
            {
                Sender.Tell(Report);
                return;
            }
            var requester = Sender;
            if (LayoutProblem() is { } layout)
            {
                problem = layout;
                requester.Tell(new Status.Failure(new InvalidOperationException(layout)));
                return;
            }
            RunTask(async () =>
            {
                DataShardEvents.Finalized finalized;
                try
                {
                    finalized = await FinalizeOutput();
                }
                catch (Exception e)
                {
                    // Answered (the job says it and asks again), not thrown: a failed actor would recover and fail again.
                    Context.GetLogger().Error(e, "finalizing {0} failed", PersistenceId);
                    requester.Tell(new Status.Failure(e));
                    return;
                }
                Persist(finalized, done =>
                {
                    state = state.Apply(done);
                    requester.Tell(Report);
                });
            });
        });
        Command<DataShardCommands.Tokenize>(tokenize =>
        {
            if (state.Stage != DataShardStage.Finalized)
            {
                Sender.Tell(Report);
                return;
            }
            var requester = Sender;
            RunTask(async () =>
            {
                TokenizedShard result;
                try
                {
                    result = await Task.Run(() =>
                    {
                        IngestJobOutputs.CheckShardOutput(state.Output!, state.OutputSha256!);
                        return ShardTokenizer.Tokenize(Documents(state.Output!), TokenizerCatalog.Load(tokenize.Tokenizer),
                            new ValidationSplit(tokenize.ValidationFraction), Path.Combine(state.OutputDirectory, "train.tokens"), Path.Combine(state.OutputDirectory, "validation.tokens"));
                    });
                }
                catch (Exception e)
                {
                    Context.GetLogger().Error(e, "tokenizing {0} failed", PersistenceId);
                    requester.Tell(new Status.Failure(e));
                    return;
                }
                Persist(new DataShardEvents.Tokenized(result), tokenized =>
                {
                    state = state.Apply(tokenized);
                    requester.Tell(Report);
                });
            });
        });
        Command<Continue>(_ => CollectNextChunk());
        KeepOnlyTheNewestSnapshot();
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PostStop()
    {
        collector.Dispose();
        base.PostStop();
    }

    private DataShardReport Report => state.Report with { Problem = problem };

    public static Props Props(DataShardId id, DataShardSettings settings, IActorRef dedupIndex, IActorRef cleaners) =>
        Akka.Actor.Props.Create(() => new DataShardActor(id, settings, dedupIndex, cleaners));

    private void CollectNextChunk()
    {
        if (state.Stage != DataShardStage.Collecting) return;
        if (state.AllFilesRead)
        {
            Persist(DataShardEvents.Collected.Instance, collected => state = state.Apply(collected));
            return;
        }
        if (PlannedFiles() is not { } planned) return;
        if (LayoutProblem() is { } layout)
        {
            // Nothing to retry: the node's configuration is read once. The shard waits, saying why, for a node that fits.
            Context.GetLogger().Error("data shard {0}: {1}; collection stops at file {2} of {3}", PersistenceId, layout, state.NextFile, state.FileCount);
            problem = layout;
            return;
        }
        int chunk = state.Chunks.Length;
        RunTask(async () =>
        {
            try
            {
                await CollectChunk(planned, chunk);
            }
            catch (Exception e)
            {
                // A full disk, a cleaner or bucket that never answered: said in every report and tried again later.
                // Thrown, it would fail the actor, which recovers and fails again at once, and nobody hears why.
                Context.GetLogger().Error(e, "data shard {0}: chunk {1} failed; trying again in {2}s", PersistenceId, chunk, CollectRetry.TotalSeconds);
                problem = $"chunk {chunk} failed: {e.Message}";
                Timers.StartSingleTimer("collect", Continue.Instance, CollectRetry);
            }
        });
    }

    // Reads, cleans and writes a chunk, claims its documents' keys, then journals it.
    private async Task CollectChunk(ImmutableArray<string> planned, int chunk)
    {
        var result = await collector.CollectAsync(planned, state.NextFile, state.NextRecord, chunk, state.OutputDirectory,
            settings.ChunkRecords, CleanRemotely);
        var keys = DedupKeysFile.Read(ShardCollector.KeysPath(state.OutputDirectory, chunk), settings.Bands);
        var claims = result.KeptIds
            .SelectMany((documentId, i) => Claimed(documentId, keys[i]))
            .GroupBy(key => DedupIndexId.BucketOf(key.Key, settings.Buckets))
            .Select(bucket => new DedupIndexCommands.Claim(new DedupIndexId(id.Job, bucket.Key), ClaimBatch.Of(bucket)));
        await Task.WhenAll(claims.Select(claim => AskRepeatedly<DedupIndexReplies.Claimed>(dedupIndex, claim)));
        Persist(new DataShardEvents.ChunkWritten(chunk, result.Path, result.NextFile, result.NextRecord, result.BadRecords, result.Counts), written =>
        {
            state = state.Apply(written);
            problem = null;
            if (state.Chunks.Length % SnapshotEvery == 0) SaveSnapshot(state);
            Self.Tell(Continue.Instance);
        });
    }

    // Why this node cannot go on with the shard: its dedup layout is not the one the shard was planned with. None for a
    // shard planned before layouts were journaled.
    private string? LayoutProblem() => state.Dedup is { } job && job != settings.Dedup ? DedupLayout.Mismatch(settings.Dedup, job) : null;

    // The planned files; null (said in the log) when the shard's list was lost or changed since it was planned: the
    // shard cannot know what it was to read, so it stops collecting rather than read something else.
    private ImmutableArray<string>? PlannedFiles()
    {
        if (files is null && state.FileList is { } list)
        {
            try
            {
                files = list.Read();
            }
            catch (InvalidDataException e)
            {
                Context.GetLogger().Error("data shard {0}: {1}; collection stops at file {2} of {3}", PersistenceId, e.Message, state.NextFile, state.FileCount);
                problem = $"{e.Message}; collection stopped at file {state.NextFile} of {state.FileCount}";
                return null;
            }
        }
        return files ??= state.Files;
    }

    // The chunk's documents to this shard's cleaner, in batches of bounded text; results in order.
    private async Task<IReadOnlyList<CleaningResult>> CleanRemotely(IReadOnlyList<Document> documents)
    {
        var cleaner = new CleanerId(id.Job, id.Number);
        var layout = state.Dedup ?? settings.Dedup; // the job's, journaled once when the shard was planned
        var batches = new List<ImmutableArray<Document>>();
        var batch = ImmutableArray.CreateBuilder<Document>();
        long bytes = 0;
        foreach (var document in documents)
        {
            if (batch.Count > 0 && bytes + document.Text.Length > settings.CleanBatchBytes)
            {
                batches.Add(batch.ToImmutable());
                batch.Clear();
                bytes = 0;
            }
            batch.Add(document);
            bytes += document.Text.Length;
        }
        if (batch.Count > 0) batches.Add(batch.ToImmutable());
        var replies = await Task.WhenAll(batches.Select(b => AskRepeatedly<CleanerReplies.Cleaned>(cleaners, new CleanerCommands.Clean(cleaner, b, layout))));
        return replies.SelectMany(r => r.Results).ToArray();
    }

    private async Task<DataShardEvents.Finalized> FinalizeOutput()
    {
        string output = Path.Combine(state.OutputDirectory, "documents.jsonl.zst");
        var counts = state.Counts;
        using (var documents = new JsonlZstWriter(output))
        using (var quarantine = new JsonlZstWriter(Path.Combine(state.OutputDirectory, "quarantine-dedup.jsonl.zst")))
        {
            for (int chunkIndex = 0; chunkIndex < state.Chunks.Length; chunkIndex++)
            {
                var chunkKeys = DedupKeysFile.Read(ShardCollector.KeysPath(state.OutputDirectory, chunkIndex), settings.Bands);
                var chunkDocuments = Documents(state.Chunks[chunkIndex]).ToArray();
                var owners = await OwnersOf(chunkKeys.SelectMany(KeysOf));
                for (int i = 0; i < chunkDocuments.Length; i++)
                {
                    var document = chunkDocuments[i];
                    // A key nobody owns was claimed (before the chunk was journaled) and is gone: a bucket's journal lost, or
                    // the keys asked of other buckets than they were claimed in. Kept or dropped, the answer would be a guess.
                    foreach (var key in KeysOf(chunkKeys[i]))
                        if (owners[key] is null)
                            throw new InvalidDataException($"{document.Id}: its {key.Kind} key {key.Key:x} has no owner in dedup bucket {DedupIndexId.BucketOf(key.Key, settings.Buckets)} (a lost claim)");
                    // Exact keys first: a document that lost one is named an exact duplicate.
                    if (KeysOf(chunkKeys[i]).Where(k => owners[k] != document.Id).Select(k => (DedupKey?)k).FirstOrDefault() is not { } lost)
                    {
                        documents.Append(w => DocumentJson.Write(w, document));
                        continue;
                    }
                    string stage = lost.Kind == DedupKind.Exact ? SequentialIngest.ExactStage : SequentialIngest.NearStage;
                    counts = counts.Dedup(stage, System.Text.Encoding.UTF8.GetByteCount(document.Text));
                    quarantine.Append(w => QuarantineJson.Write(w, document.Id, stage, $"duplicate of {owners[lost]}"));
                }
            }
            documents.Complete();
            quarantine.Complete();
        }
        await using var file = File.OpenRead(output);
        string sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
        return new DataShardEvents.Finalized(output, sha256, counts);
    }

    // Owner of every key, asking each bucket once for all its keys, all buckets at once.
    private async Task<Dictionary<DedupKey, string?>> OwnersOf(IEnumerable<DedupKey> keys)
    {
        var questions = keys.Distinct()
            .GroupBy(key => DedupIndexId.BucketOf(key.Key, settings.Buckets))
            .Select(bucket => new DedupIndexCommands.GetOwners(new DedupIndexId(id.Job, bucket.Key), [.. bucket]))
            .ToArray();
        var replies = await Task.WhenAll(questions.Select(question => AskRepeatedly<DedupIndexReplies.Owners>(dedupIndex, question)));
        var owners = new Dictionary<DedupKey, string?>();
        for (int q = 0; q < questions.Length; q++)
            for (int i = 0; i < questions[q].Keys.Length; i++) owners[questions[q].Keys[i]] = replies[q].DocumentIds[i];
        return owners;
    }

    // Cleaning is a pure function, claims are idempotent and owners a read: each may be asked again, which is
    // what gets a chunk past a cleaner or bucket whose node died with the question: as soon as the cluster removes
    // that node, or after 5 s, 10 s, 20 s... (not ask-timeout).
    private Task<T> AskRepeatedly<T>(IActorRef entities, object question) =>
        RepeatedAsk.UntilAsync(patience => entities.Ask<T>(question, patience), settings.AskTimeout, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20),
            () => removals.Next);

    private static IEnumerable<ClaimedKey> Claimed(string documentId, DedupKeys keys) =>
        KeysOf(keys).Select(key => new ClaimedKey(key.Kind, key.Key, documentId));

    private static IEnumerable<DedupKey> KeysOf(DedupKeys keys) =>
        keys.Bands.Select(band => new DedupKey(DedupKind.Near, band)).Prepend(new DedupKey(DedupKind.Exact, keys.Exact));

    private static IEnumerable<Document> Documents(string chunk) => SequentialIngest.ReadLines(chunk).Select(DocumentJson.Read);

    // A crash between a chunk's rename and its journal entry leaves a chunk the journal does not
    // know; a crash mid-write leaves a .partial file. Both are written again from the cursor.
    private void RemoveUnjournaledChunks()
    {
        if (!Directory.Exists(state.OutputDirectory)) return;
        foreach (string file in Directory.EnumerateFiles(state.OutputDirectory, "*.partial")) File.Delete(file);
        for (int chunk = state.Chunks.Length; ; chunk++)
        {
            string[] files = [ShardCollector.ChunkPath(state.OutputDirectory, chunk), ShardCollector.QuarantinePath(state.OutputDirectory, chunk), ShardCollector.KeysPath(state.OutputDirectory, chunk)];
            if (!files.Any(File.Exists)) break;
            foreach (string file in files) File.Delete(file);
        }
    }

    /// <summary>Self-sent: collect the next chunk (one per message, so commands interleave).</summary>
    private sealed class Continue : INoSerializationVerificationNeeded
    {
        public static readonly Continue Instance = new();
    }
}
