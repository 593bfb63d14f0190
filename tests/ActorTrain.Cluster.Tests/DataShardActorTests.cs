using ActorTrain.Cluster.Ingest;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Cleaning.Quality;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Dedup;
using ActorTrain.Data.Ingest;
using ActorTrain.Protocol.Dedup;
using ActorTrain.Protocol.Ingest;
using ActorTrain.Testing;
using Akka.Actor;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class DataShardActorTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TemporaryDirectory root = new("actortrain-shard-");

    public void Dispose() => root.Dispose();

    [Fact]
    public async Task A_shard_stopped_mid_collection_resumes_and_writes_exactly_what_an_uninterrupted_run_writes()
    {
        var files = Corpus();
        var shard = new DataShardId("job", 0);

        // Reference: one uninterrupted run.
        string reference = root.Combine("reference");
        await using (var node = new Node(new SqliteJournal(root.Combine("reference.db"))))
            await node.CollectToTheEnd(shard, files, reference);

        // Interrupted: the actor system is terminated after a few chunks, stray files are left as a
        // crash at the worst moments would leave them, and a new system over the same journal resumes.
        string resumed = root.Combine("resumed");
        var journal = new SqliteJournal(root.Combine("resumed.db"));
        // Its cleaner answers three documents and holds the fourth: the stop comes after three chunks (the first three
        // records are documents), wherever the shard would be by then. One-record chunks journal in about a millisecond:
        // asked for its state every 20 ms, the shard was sometimes already done when first seen at three or more. The
        // shard is not asked while held: it answers between chunks, and the held chunk does not end.
        const int chunksBeforeStop = 3;
        await using (var node = new Node(journal, cleanAnswers: chunksBeforeStop))
        {
            var actor = node.Shard(shard);
            await actor.Ask<DataShardReport>(new DataShardCommands.Collect(shard, Listed(files, resumed), resumed), Patience);
            await node.CleanerHeld.WaitAsync(Patience);
        }
        // A process that dies stops writing; a terminated actor system does not stop a chunk that its shard's task was
        // writing. Its files are let finish (no .partial file, the same listing twice 300 ms apart), or they could land
        // after the restart's cleanup, or beside the chunk the restarted shard writes again.
        await Eventually.Until(async () =>
        {
            string[] before = Directory.GetFiles(resumed);
            await Task.Delay(300);
            return (Before: before, After: Directory.GetFiles(resumed));
        }, listings => listings.Before.SequenceEqual(listings.After) && !listings.After.Any(f => f.EndsWith(".partial", StringComparison.Ordinal)),
            Patience, "the stopped shard's last files");
        var afterStop = Directory.GetFiles(resumed, "chunk-*").Length;
        File.WriteAllText(ShardCollector.ChunkPath(resumed, 999) + ".partial", "torn write");
        File.WriteAllText(ShardCollector.ChunkPath(resumed, afterStop), "renamed but never journaled");

        await using (var node = new Node(journal))
        {
            var state = await node.WaitUntilCollected(shard);
            Assert.True(state.Chunks > chunksBeforeStop, "collection went on after the restart");
        }

        Assert.Equal(Lines(reference, "chunk-*"), Lines(resumed, "chunk-*"));
        Assert.Equal(Lines(reference, "quarantine-*"), Lines(resumed, "quarantine-*"));
        Assert.Empty(Directory.GetFiles(resumed, "*.partial"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Any_number_of_shards_keeps_the_same_documents_as_the_sequential_reference(int shards)
    {
        var files = CorpusWithDuplicates();
        string referenceOutput = root.Combine("sequential");
        Directory.CreateDirectory(referenceOutput);
        var reference = new SequentialIngest(new ReaderSettings(), Pipeline, new MinHashSettings()).Run(files, referenceOutput);
        var expected = SequentialIngest.ReadLines(reference.Output).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(0, reference.BadRecords);
        Assert.Equal(7, expected.Length); // 9 records less one exact and one near copy

        var plan = SourceFiles.Partition(files, shards);
        var kept = new List<string>();
        await using (var node = new Node(new SqliteJournal(root.Combine($"journal-{shards}.db"))))
        {
            var actors = new List<(DataShardId Id, IActorRef Actor)>();
            for (int n = 0; n < shards; n++)
            {
                var id = new DataShardId("dedup", n);
                var actor = node.Shard(id, $"shard-{n}");
                await actor.Ask<DataShardReport>(new DataShardCommands.Collect(id, Listed(plan[n], root.Combine($"out-{shards}", $"shard-{n}")), root.Combine($"out-{shards}", $"shard-{n}")), Patience);
                actors.Add((id, actor));
            }
            foreach (var (id, actor) in actors)
                await Eventually.Until(() => actor.Ask<DataShardReport>(new DataShardCommands.GetState(id), Patience), s => s.Stage == DataShardStage.Collected, Patience, $"{id} collected");
            foreach (var (id, actor) in actors)
            {
                var done = await actor.Ask<DataShardReport>(new DataShardCommands.Finalize(id), Patience);
                Assert.Equal(DataShardStage.Finalized, done.Stage);
                kept.AddRange(SequentialIngest.ReadLines(done.Output!));
            }
        }
        Assert.Equal(expected, kept.Order(StringComparer.Ordinal));
        Assert.True(reference.Counts.DroppedByStage.GetValueOrDefault("exact-dedup") >= 1, string.Join(", ", reference.Counts.DroppedByStage.Select(p => $"{p.Key}={p.Value}")) + $" kept {reference.Counts.DocumentsKept} of {reference.Counts.DocumentsIn}, bad {reference.BadRecords}");
        Assert.True(reference.Counts.DroppedByStage.GetValueOrDefault("minhash-dedup") >= 1);
    }

    [Fact]
    public async Task A_node_whose_dedup_layout_is_not_the_jobs_refuses_the_shard_and_a_lost_claim_is_not_a_duplicate()
    {
        var files = Corpus();
        var shard = new DataShardId("layout", 0);
        string output = root.Combine("layout");
        var journal = new SqliteJournal(root.Combine("layout.db"));
        await using (var node = new Node(journal))
            await node.CollectToTheEnd(shard, files, output);

        // Restarted with 4 buckets: its keys would be asked of other buckets than they were claimed in.
        await using (var node = new Node(journal, new DedupLayout(Buckets: 4, new MinHashSettings())))
        {
            var actor = node.Shard(shard);
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => actor.Ask<DataShardReport>(new DataShardCommands.Finalize(shard), Patience));
            Assert.Contains("this node's dedup layout (4 dedup buckets", refused.Message);
            Assert.Contains("is not the job's (3 dedup buckets", refused.Message);
            var report = await actor.Ask<DataShardReport>(new DataShardCommands.GetState(shard), Patience);
            Assert.Equal((DataShardStage.Collected, refused.Message), (report.Stage, report.Problem));
        }

        // A shard first planned on a node of another layout is held to the job's, which its Collect carries: data nodes
        // configured alike or not, every shard of a job puts its keys in the same buckets.
        var other = new DataShardId("layout", 1);
        await using (var node = new Node(journal, new DedupLayout(Buckets: 4, new MinHashSettings())))
        {
            string otherOutput = root.Combine("layout-1");
            var actor = node.Shard(other, "other");
            await actor.Ask<DataShardReport>(new DataShardCommands.Collect(other, Listed(files, otherOutput), otherOutput, new DedupLayout(Buckets: 3, new MinHashSettings())), Patience);
            var stopped = await Eventually.Until(() => actor.Ask<DataShardReport>(new DataShardCommands.GetState(other), Patience), r => r.Problem is not null, Patience, "the shard to refuse");
            Assert.Contains("this node's dedup layout (4 dedup buckets", stopped.Problem);
            Assert.Contains("is not the job's (3 dedup buckets", stopped.Problem);
            Assert.Equal(0, stopped.Chunks);
        }

        // The right layout, but the buckets' journals are lost (a restore that missed them): the claims are gone. The
        // shard says so instead of quarantining its documents as duplicates of nobody.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={journal.Path}"))
        {
            connection.Open();
            using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM journal WHERE persistence_id LIKE 'dedup-index-layout/%'";
            Assert.True(delete.ExecuteNonQuery() > 0, "no bucket journal to lose");
        }
        await using (var node = new Node(journal))
        {
            var lost = await Assert.ThrowsAsync<InvalidDataException>(() => node.Shard(shard).Ask<DataShardReport>(new DataShardCommands.Finalize(shard), Patience));
            Assert.Contains("has no owner in dedup bucket", lost.Message);
        }
        Assert.False(File.Exists(Path.Combine(output, "quarantine-dedup.jsonl.zst")) && SequentialIngest.ReadLines(Path.Combine(output, "quarantine-dedup.jsonl.zst")).Any(),
            "documents were quarantined as duplicates of nothing");

        // A cleaner on a node of other MinHash settings refuses to clean for the job.
        var otherMinHash = new DedupLayout(Buckets: 3, new MinHashSettings { Bands = 20 });
        using var system = ActorSystem.Create("cleaner", "akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.loglevel = ERROR");
        var cleaner = system.ActorOf(CleanerActor.Props(new DocumentCleaner(Pipeline, new MinHashSignature(otherMinHash.MinHash)), otherMinHash));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cleaner.Ask<ActorTrain.Protocol.Cleaning.CleanerReplies.Cleaned>(
            new ActorTrain.Protocol.Cleaning.CleanerCommands.Clean(new("layout", 0), [], new DedupLayout(Buckets: 3, new MinHashSettings())), Patience));
        Assert.Contains("MinHash of 5-word shingles in 20 bands of 8 rows", error.Message);
        await system.Terminate();
    }

    [Fact]
    public async Task A_file_list_changed_since_planning_is_refused_and_nothing_is_planned()
    {
        var files = Corpus();
        string output = root.Combine("changed");
        var listed = Listed(files, output);
        File.AppendAllText(listed.Path, "\"/etc/passwd\"\n");
        var shard = new DataShardId("changed", 0);
        await using var node = new Node(new SqliteJournal(root.Combine("changed.db")));
        var actor = node.Shard(shard);

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => actor.Ask<DataShardReport>(new DataShardCommands.Collect(shard, listed, output), Patience));
        Assert.Contains($"the planned file list {listed.Path} changed since it was planned", refused.Message);
        Assert.Equal(DataShardStage.New, (await actor.Ask<DataShardReport>(new DataShardCommands.GetState(shard), Patience)).Stage);

        // The job's plan written again: the same shard takes it.
        var report = await actor.Ask<DataShardReport>(new DataShardCommands.Collect(shard, Listed(files, output), output), Patience);
        Assert.Equal((DataShardStage.Collecting, files.Count), (report.Stage, report.Files));
    }

    [Fact]
    public async Task A_chunk_that_cannot_be_written_is_said_in_the_shards_report_and_written_once_it_can()
    {
        var files = Corpus();
        string output = root.Combine("blocked");
        string blocker = ShardCollector.KeysPath(output, 0);
        Directory.CreateDirectory(blocker); // the first chunk's keys file cannot take its place
        var shard = new DataShardId("blocked", 0);
        await using var node = new Node(new SqliteJournal(root.Combine("blocked.db")));
        var actor = node.Shard(shard);
        await actor.Ask<DataShardReport>(new DataShardCommands.Collect(shard, Listed(files, output), output), Patience);

        Task<DataShardReport> Until(Func<DataShardReport, bool> condition, string what) =>
            Eventually.Until(() => actor.Ask<DataShardReport>(new DataShardCommands.GetState(shard), Patience), condition, Patience, what);
        var stuck = await Until(s => s.Problem is not null, "the shard to say what stops it");
        Assert.Equal((DataShardStage.Collecting, 0), (stuck.Stage, stuck.Chunks));
        Assert.StartsWith("chunk 0 failed: ", stuck.Problem);

        Directory.Delete(blocker);
        var done = await Until(s => s.Stage == DataShardStage.Collected, "collection to finish");
        Assert.Null(done.Problem);
        Assert.Equal(files.Sum(f => File.ReadAllLines(f).Length), done.Counts.DocumentsIn + done.BadRecords);
    }

    // What the ingest job does before it tells a shard to collect: write its file list.
    private static ShardFileList Listed(IReadOnlyList<string> files, string shardDirectory) => ShardFileList.Write(ShardFileList.PathIn(shardDirectory), files);

    private static readonly CleaningPipeline Pipeline =
        new([new NormaliseStage(), new GopherQualityStage(new GopherQualitySettings { MinWords = 20 })]);

    // Copies across files that different shards will own: exact (file 0 = file 3) and near (file 1 ~ file 4).
    private IReadOnlyList<string> CorpusWithDuplicates()
    {
        string corpus = root.Combine("dup-corpus");
        Directory.CreateDirectory(corpus);
        string Text(int seed) => string.Join("\\n", Enumerable.Range(0, 8).Select(s => $"The line {seed}-{s} tells of the river {seed * 7 + s} and the garden of {seed} with care."));
        string Jsonl(params string[] texts) => string.Join('\n', texts.Select(t => $$"""{"text": "{{t}}"}"""));
        File.WriteAllText(Path.Combine(corpus, "f0.jsonl"), Jsonl(Text(1), Text(2)));
        File.WriteAllText(Path.Combine(corpus, "f1.jsonl"), Jsonl(Text(3), Text(4)));
        File.WriteAllText(Path.Combine(corpus, "f2.jsonl"), Jsonl(Text(5)));
        File.WriteAllText(Path.Combine(corpus, "f3.jsonl"), Jsonl(Text(1), Text(6)));
        File.WriteAllText(Path.Combine(corpus, "f4.jsonl"), Jsonl(Text(3).Replace("line 3-7 tells", "line 3-7 says"), Text(7)));
        return SourceFiles.List([SourceSpec.Everything(corpus)]);
    }

    private IReadOnlyList<string> Corpus()
    {
        string corpus = root.Combine("corpus");
        Directory.CreateDirectory(corpus);
        for (int f = 0; f < 4; f++)
        {
            File.WriteAllText(Path.Combine(corpus, $"part-{f}.jsonl"), string.Join('\n', Enumerable.Range(0, 6).Select(i =>
                (f, i) == (1, 2) ? "{not json" : $$"""{"text": "{{string.Join("\\n", Enumerable.Range(0, 6).Select(s => $"The record {f}-{i} line {s} of the river and the garden, with words enough to pass."))}}"}""")));
        }
        return SourceFiles.List([SourceSpec.Everything(corpus)]);
    }

    private static string[] Lines(string directory, string pattern) =>
        Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal).SelectMany(SequentialIngest.ReadLines).ToArray();

    /// <summary>One actor system over a journal, with data shards collecting one record per chunk; its dedup layout
    /// 3 buckets and the default MinHash unless given another; its cleaners answer <paramref name="cleanAnswers"/> commands.</summary>
    private sealed class Node(JournalTarget journal, DedupLayout? dedup = null, int cleanAnswers = int.MaxValue) : IAsyncDisposable
    {
        private readonly JournaledActorSystem journaled = new(journal);

        private ActorSystem System => journaled.System;

        private readonly DataShardSettings Settings = new(
            new ReaderSettings(), ChunkRecords: 1, dedup ?? new DedupLayout(Buckets: 3, new MinHashSettings()),
            CleanBatchBytes: 300, AskTimeout: Patience);

        private IActorRef? index;
        private IActorRef? cleaners;
        private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completed when the cleaners first hold a command (all <c>cleanAnswers</c> answered).</summary>
        public Task CleanerHeld => held.Task;

        private IActorRef Index => index ??= System.ActorOf(Akka.Actor.Props.Create(() => new LocalDedupIndex()), "dedup-index");

        private IActorRef Cleaners => cleaners ??= System.ActorOf(Akka.Actor.Props.Create(() =>
            new LocalCleaners(new DocumentCleaner(Pipeline, new MinHashSignature(new MinHashSettings())), Settings.Dedup, cleanAnswers, held)), "cleaners");

        public IActorRef Shard(DataShardId id, string? name = null) =>
            System.ActorOf(DataShardActor.Props(id, Settings, Index, Cleaners), name ?? "shard");

        public async Task CollectToTheEnd(DataShardId id, IReadOnlyList<string> files, string output)
        {
            await Shard(id).Ask<DataShardReport>(new DataShardCommands.Collect(id, Listed(files, output), output), Patience);
            await WaitUntilCollected(id, created: true);
        }

        public async Task<DataShardReport> WaitUntilCollected(DataShardId id, bool created = false)
        {
            var actor = created ? await System.ActorSelection("/user/shard").ResolveOne(Patience) : Shard(id);
            return await Eventually.Until(() => actor.Ask<DataShardReport>(new DataShardCommands.GetState(id), Patience),
                s => s.Stage == DataShardStage.Collected, Patience, "collection to finish");
        }

        public ValueTask DisposeAsync() => journaled.DisposeAsync();
    }
}
