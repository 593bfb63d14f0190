using System.Collections.Immutable;
using System.Security.Cryptography;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Ingest;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Dedup;
using ActorTrain.Data.Ingest;
using ActorTrain.Protocol.Ingest;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Documents;
using ActorTrain.Data.Output;
using ActorTrain.Testing;
using ActorTrain.Tokenizers;
using Akka;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class IngestJobTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TemporaryDirectory root = new("actortrain-job-");

    public void Dispose() => root.Dispose();

    [Fact]
    public async Task A_job_on_a_single_node_cluster_produces_the_sequential_reference_and_its_stats()
    {
        string corpus = root.Combine("corpus");
        Directory.CreateDirectory(corpus);
        string Text(int seed) => string.Join("\n", Enumerable.Range(0, 8).Select(s => $"The line {seed}-{s} tells of the river {seed * 7 + s} and the garden of {seed} with care."));
        for (int f = 0; f < 5; f++) File.WriteAllText(Path.Combine(corpus, $"doc-{f}.txt"), Text(f % 4)); // doc-4 = doc-0
        File.WriteAllText(Path.Combine(corpus, "junk.txt"), "too short");
        File.WriteAllBytes(Path.Combine(corpus, "image.txt"), [0, 1, 2, 3]);                  // binary: a bad record
        File.WriteAllText(Path.Combine(corpus, "broken.jsonl"), "{\"text\": \"cut");          // malformed JSON: a bad record
        Directory.CreateDirectory(Path.Combine(corpus, "skip"));
        File.WriteAllText(Path.Combine(corpus, "skip", "excluded.txt"), Text(9));              // left out by the exclude glob

        // Generated lines repeat their shape, which the repetition and web filters rightly dislike: keep the prose checks only.
        var overrides = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            actortrain.data.ingest.chunk-records = 2
            actortrain.data.stages = [normalise, gopher-quality]
            """);
        await using var node = await StartNode(overrides);
        var data = DataSettings.From(node.Config);
        var regions = IngestRegions.Start(node.System, data, IngestSettings.From(node.Config));

        string output = root.Combine("out");
        await regions.Jobs.Ask<IngestJobState>(new IngestJobCommands.Start("web", [corpus], [], ["skip/**"], 3, output), Patience);
        var done = await Until(regions, "web", s => s.Status == IngestJobStatus.Completed, "the job to complete");

        string reference = root.Combine("reference");
        Directory.CreateDirectory(reference);
        var expected = new SequentialIngest(data.Readers, data.Pipeline, data.MinHash).Run(SourceFiles.List([new SourceSpec(corpus, [], ["skip/**"])]), reference);
        var kept = done.Shards.SelectMany(s => SequentialIngest.ReadLines(s.Output!)).Order(StringComparer.Ordinal);
        Assert.Equal(SequentialIngest.ReadLines(expected.Output).Order(StringComparer.Ordinal), kept);
        Assert.Equal(4, done.Totals.DocumentsKept);
        Assert.Equal(1, done.Totals.DroppedByStage["exact-dedup"]);
        Assert.Equal(2, done.BadRecords);
        using var stats = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "stats.json")));
        Assert.Equal(2, stats.RootElement.GetProperty("bad_records").GetInt64());
        Assert.True(stats.RootElement.GetProperty("duration_seconds").GetDouble() > 0);
    }

    [Fact]
    public async Task Status_replies_shard_commands_and_journal_events_carry_counts_not_the_plans_file_lists()
    {
        // 3000 files under a long directory name: a plan of ~700 KB, which every status reply and every
        // shard poll (four a second) used to carry, and the job's and shards' plan events and Collect commands
        // after them (a large code tree would not fit a remoting frame).
        string corpus = root.Combine("corpus-" + new string('d', 150));
        Directory.CreateDirectory(corpus);
        for (int f = 0; f < 3000; f++) File.WriteAllText(Path.Combine(corpus, $"a-document-with-a-long-file-name-{f:D6}.txt"), "too short to keep");
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = WARNING");
        await using var node = await StartNode(overrides);
        var regions = Regions(node);

        var started = await regions.Jobs.Ask<IngestJobState>(new IngestJobCommands.Start("wide", [corpus], [], [], 2, root.Combine("out")), Patience);
        var report = await regions.DataShards.Ask<DataShardReport>(new DataShardCommands.GetState(new DataShardId("wide", 1)), Patience);
        Assert.Equal(3000, started.ShardFileCounts.Sum());
        Assert.Equal(started.ShardFileCounts[1], report.Files);
        var serialization = node.System.Serialization;
        Assert.InRange(serialization.FindSerializerFor(started).ToBinary(started).Length, 1, 2048);
        Assert.InRange(serialization.FindSerializerFor(report).ToBinary(report).Length, 1, 2048);

        // The job still hands every shard its files (the lists it wrote) and finishes.
        var done = await Until(regions, "wide", s => s.Status == IngestJobStatus.Completed, "the job to complete");
        Assert.Equal(3000, done.Totals.DocumentsIn);
        Assert.Equal(started.ShardFileCounts[1], File.ReadLines(ShardFileList.PathIn(root.Combine("out", "shard-0001"))).Count());

        var journal = PersistenceQuery.Get(node.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        foreach (string id in new[] { IngestJobActor.PersistencePrefix + "wide", new DataShardId("wide", 0).PersistenceId, new DataShardId("wide", 1).PersistenceId })
        {
            var events = await journal.CurrentEventsByPersistenceId(id, 0, long.MaxValue).RunWith(Sink.Seq<EventEnvelope>(), node.System.Materializer());
            Assert.NotEmpty(events);
            Assert.All(events, e => Assert.InRange(serialization.FindSerializerFor(e.Event).ToBinary(e.Event).Length, 1, 2048));
        }
    }

    [Fact]
    public async Task A_job_planned_by_an_older_build_with_its_files_inline_resumes_and_completes()
    {
        string corpus = ShortDocuments(4);
        var files = SourceFiles.List([SourceSpec.Everything(corpus)]);
        string output = root.Combine("out");
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = WARNING");
        await using var node = await StartNode(overrides);
        // The journal as an older build left it: the plan's files inline, no file lists, nothing collected yet.
        var legacy = new IngestJobEvents.Planned([[.. files.Take(3)], [.. files.Skip(3)]], output, DateTimeOffset.UtcNow);
        await node.System.ActorOf(Props.Create(() => new Journaling(IngestJobActor.PersistencePrefix + "old", legacy))).Ask<Done>("persist", Patience);

        var regions = Regions(node);
        var done = await Until(regions, "old", s => s.Status == IngestJobStatus.Completed, "the job to complete");
        Assert.Equal([3, 1], done.ShardFileCounts.ToArray());
        Assert.Equal(4, done.Totals.DocumentsIn);
    }

    [Fact]
    public async Task A_job_answers_while_it_plans_and_a_plan_that_fails_later_is_said_in_its_status_restarted_or_not_until_started_again()
    {
        string corpus = ShortDocuments(4);
        string blocked = root.Combine("a-file");
        File.WriteAllText(blocked, "");
        string unwritable = Path.Combine(blocked, "out");
        // Answered before the plan is made, as a tree of millions of files is answered.
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = ERROR\nactortrain.data.ingest.plan-answer-within = 0s");
        await using (var node = await StartNode(overrides))
        {
            var regions = Regions(node);
            // Its output would be under a regular file: the plan fails after the answer, so the status says why.
            var answered = await regions.Jobs.Ask<IngestJobState>(new IngestJobCommands.Start("late", [corpus], [], [], 2, unwritable), Patience);
            Assert.Equal(IngestJobStatus.Planning, answered.Status);
            var failed = await Until(regions, "late", s => s.Problem is not null, "the plan to fail");
            Assert.Equal(IngestJobStatus.Planning, failed.Status);
            Assert.Contains($"ingest job late: cannot write its plan under {unwritable}", failed.Problem);
        }

        // The failure is journaled: restarted with the cause mended, the job still says it, and does not plan the
        // request that failed (nobody asked again).
        File.Delete(blocked);
        await using (var node = await StartNode(overrides))
        {
            var regions = Regions(node);
            var refused = await Until(regions, "late", s => s.Problem is not null, "the job to say why it has no plan");
            Assert.Equal(IngestJobStatus.Planning, refused.Status);
            Assert.Contains($"ingest job late: cannot write its plan under {unwritable}", refused.Problem);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(Directory.Exists(blocked));

            // Started again with an output it can write, it plans and completes, the problem gone.
            string output = root.Combine("out");
            Assert.Equal(IngestJobStatus.Planning, (await regions.Jobs.Ask<IngestJobState>(new IngestJobCommands.Start("late", [corpus], [], [], 2, output), Patience)).Status);
            var done = await Until(regions, "late", s => s.Status == IngestJobStatus.Completed, "the job to complete");
            Assert.Null(done.Problem);
            Assert.Equal(4, done.Totals.DocumentsIn);
            Assert.Equal(output, done.OutputDirectory);
        }
    }

    [Fact]
    public async Task A_job_whose_node_died_while_it_planned_plans_its_journaled_request_again_by_itself()
    {
        string corpus = ShortDocuments(4);
        string output = root.Combine("out");
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = WARNING");
        await using var node = await StartNode(overrides);
        // The journal as a node that died while the job planned left it: the request, no plan.
        var request = new IngestJobEvents.Submitted(new IngestJobCommands.Start("interrupted", [corpus], [], [], 2, output), DateTimeOffset.UtcNow);
        await node.System.ActorOf(Props.Create(() => new Journaling(IngestJobActor.PersistencePrefix + "interrupted", request))).Ask<Done>("persist", Patience);
        // Listed from the journal, as `pbm data jobs` lists jobs.
        Assert.Contains("interrupted", await JournaledNames.ListAsync(node.System, IngestJobActor.PersistencePrefix, CancellationToken.None));

        // Asked nothing but its status.
        var done = await Until(Regions(node), "interrupted", s => s.Status == IngestJobStatus.Completed, "the job to complete");
        Assert.Equal([2, 2], done.ShardFileCounts.ToArray());
        Assert.Equal(4, done.Totals.DocumentsIn);
        Assert.Equal(output, done.OutputDirectory);
    }

    [Fact]
    public async Task A_request_naming_many_files_keeps_them_beside_its_plan_and_plans_them_again_by_itself_when_interrupted()
    {
        string corpus = ShortDocuments(300);
        string output = root.Combine("out");
        var start = new IngestJobCommands.Start("selection", [.. Directory.GetFiles(corpus).Order()], [], [], 2, output);
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = WARNING");
        await using var node = await StartNode(overrides);
        // As a node that died while the job planned would leave it: the request journaled, its sources in their list.
        var sources = ShardFileList.Write(IngestPlan.SubmittedSourcesPath(output), start.Sources);
        var request = IngestJobEvents.Submitted.Of(start, DateTimeOffset.UtcNow, sources);
        Assert.Equal(300, request.OmittedSources);
        Assert.Empty(request.Request.Sources);
        await node.System.ActorOf(Props.Create(() => new Journaling(IngestJobActor.PersistencePrefix + "selection", request))).Ask<Done>("persist", Patience);

        // Asked nothing but its status.
        var done = await Until(Regions(node), "selection", s => s.Status == IngestJobStatus.Completed, "the job to complete");
        Assert.Null(done.Problem);
        Assert.Equal(300, done.Totals.DocumentsIn);
    }

    [Fact]
    public async Task A_request_whose_many_files_were_not_kept_or_whose_list_changed_says_so_and_is_planned_when_asked_again()
    {
        string corpus = ShortDocuments(300);
        string output = root.Combine("out");
        var start = new IngestJobCommands.Start("selection", [.. Directory.GetFiles(corpus).Order()], [], [], 2, output);
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = OFF");
        await using var node = await StartNode(overrides);
        // Not kept (their list could not be written), and kept but changed since.
        var notKept = IngestJobEvents.Submitted.Of(start, DateTimeOffset.UtcNow);
        var changed = IngestJobEvents.Submitted.Of(start with { Job = "changed" }, DateTimeOffset.UtcNow,
            ShardFileList.Write(IngestPlan.SubmittedSourcesPath(output), start.Sources));
        File.AppendAllText(IngestPlan.SubmittedSourcesPath(output), "\"/elsewhere\"\n");
        await node.System.ActorOf(Props.Create(() => new Journaling(IngestJobActor.PersistencePrefix + "selection", notKept))).Ask<Done>("persist", Patience);
        await node.System.ActorOf(Props.Create(() => new Journaling(IngestJobActor.PersistencePrefix + "changed", changed))).Ask<Done>("persist", Patience);

        var regions = Regions(node);
        var stuck = await Until(regions, "selection", s => s.Problem is not null, "the job to say it must be asked again");
        Assert.Equal(IngestJobStatus.Planning, stuck.Status);
        Assert.Equal("ingest job selection: stopped before its plan was made, and its 300 sources were too many to journal: start it again", stuck.Problem);
        var refused = await Until(regions, "changed", s => s.Problem is not null, "the job to say its sources cannot be read back");
        Assert.Equal(IngestJobStatus.Planning, refused.Status);
        Assert.StartsWith("ingest job changed: stopped before its plan was made, and its 300 sources cannot be read back (the planned file list ", refused.Problem);
        Assert.Contains("submitted-sources.jsonl changed since it was planned", refused.Problem);

        // Asked again, it plans; the request it journals now keeps its sources beside the plan, and every event stays small.
        await regions.Jobs.Ask<IngestJobState>(start, Patience);
        var done = await Until(regions, "selection", s => s.Status == IngestJobStatus.Completed, "the job to complete");
        Assert.Null(done.Problem);
        Assert.Equal(300, done.Totals.DocumentsIn);
        var journal = PersistenceQuery.Get(node.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var events = await journal.CurrentEventsByPersistenceId(IngestJobActor.PersistencePrefix + "selection", 0, long.MaxValue).RunWith(Sink.Seq<EventEnvelope>(), node.System.Materializer());
        var requests = events.Select(e => e.Event).OfType<IngestJobEvents.Submitted>().ToList();
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].SourceList);
        Assert.Equal(start.Sources.ToArray(), requests[1].SourceList!.Read().ToArray());
        Assert.All(events, e => Assert.InRange(node.System.Serialization.FindSerializerFor(e.Event).ToBinary(e.Event).Length, 1, 2048));
    }

    [Fact]
    public async Task A_shard_that_cannot_read_its_plan_is_named_in_the_jobs_status_and_goes_on_once_the_list_is_back()
    {
        string corpus = ShortDocuments(3);
        string output = root.Combine("out");
        string listPath = ShardFileList.PathIn(Path.Combine(output, "shard-0000"));
        var list = ShardFileList.Write(listPath, SourceFiles.List([SourceSpec.Everything(corpus)]));
        string kept = root.Combine("kept-list");
        File.Move(listPath, kept);
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = OFF");
        await using var node = await StartNode(overrides);
        // A job planned, whose one shard's list was lost before the shard read it.
        var planned = new IngestJobEvents.Planned([], output, DateTimeOffset.UtcNow, FileLists: [list]);
        await node.System.ActorOf(Props.Create(() => new Journaling(IngestJobActor.PersistencePrefix + "lost", planned))).Ask<Done>("persist", Patience);

        var (stuck, done) = await StopsThenGoesOn(Regions(node), "lost", mend: () => File.Move(kept, listPath));
        Assert.Equal(IngestJobStatus.Collecting, stuck.Status);
        Assert.StartsWith($"shard 0: the planned file list {listPath} cannot be read", stuck.Problem);
        Assert.Equal(3, done.Totals.DocumentsIn);
    }

    [Fact]
    public async Task A_shard_that_fails_to_tokenize_is_named_in_the_jobs_status_and_goes_on_once_the_cause_is_mended()
    {
        string corpus = ShortDocuments(3);
        string tokenizer = root.Combine("tokenizer.json");
        HuggingFaceTokenizerJson.Save(BpeTrainer.Train(["the river and the garden, the river and the sea"], 600), tokenizer);
        // Every document kept (normalising alone), so that the shards have text to tokenize.
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = OFF\nactortrain.data.stages = [normalise]");
        await using var node = await StartNode(overrides);
        var regions = Regions(node);

        // The tokenizer named at the start is gone by the time the shards tokenize.
        var started = await regions.Jobs.Ask<IngestJobState>(new IngestJobCommands.Start("tok", [corpus], [], [], 2, root.Combine("out"), tokenizer), Patience);
        Assert.Equal(IngestJobStatus.Collecting, started.Status);
        File.Move(tokenizer, tokenizer + ".away");
        var (stuck, done) = await StopsThenGoesOn(regions, "tok", mend: () => File.Move(tokenizer + ".away", tokenizer));
        Assert.Equal(IngestJobStatus.Tokenizing, stuck.Status);
        Assert.Matches($"^shard [01]: tokenizing failed: tokenizer '{System.Text.RegularExpressions.Regex.Escape(tokenizer)}' is neither", stuck.Problem);
        Assert.True(done.Shards.Sum(s => s.Tokens!.TrainTokens + s.Tokens.ValidationTokens) > 0);
    }

    [Fact]
    public async Task A_tokenizer_that_cannot_be_trained_is_said_in_the_jobs_status_and_trained_once_the_cause_is_mended()
    {
        string corpus = ShortDocuments(1);
        string output = root.Combine("out");
        var list = ShardFileList.Write(ShardFileList.PathIn(Path.Combine(output, "shard-0000")), SourceFiles.List([SourceSpec.Everything(corpus)]));
        string documents = Path.Combine(output, "shard-0000", "documents.jsonl.zst");
        using (var writer = new JsonlZstWriter(documents))
        {
            writer.Append(w => DocumentJson.Write(w, new Document("d0", "the river and the garden, the river and the sea", corpus, ImmutableDictionary<string, string>.Empty)));
            writer.Complete();
        }
        byte[] finalized = File.ReadAllBytes(documents);
        File.WriteAllText(documents, "not zstd at all");
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = OFF");
        await using var node = await StartNode(overrides);
        // A job whose one shard finalized, and whose output was damaged before the job trained its tokenizer on it.
        object[] events =
        [
            new IngestJobEvents.Planned([], output, DateTimeOffset.UtcNow, "bpe:600", 0.01, [list]),
            new IngestJobEvents.ShardCollected(0, 0, CleaningCounts.Empty),
            new IngestJobEvents.ShardFinalized(0, documents, Convert.ToHexStringLower(SHA256.HashData(finalized)), CleaningCounts.Empty),
        ];
        await node.System.ActorOf(Props.Create(() => new Journaling(IngestJobActor.PersistencePrefix + "bpe", events))).Ask<Done>("persist", Patience);

        var regions = Regions(node);
        var stuck = await Until(regions, "bpe", s => s.Problem is not null, "the job to say what stops it");
        Assert.Equal(IngestJobStatus.PreparingTokenizer, stuck.Status);
        Assert.StartsWith($"preparing the tokenizer failed: the shard output {documents} changed since it was finalized", stuck.Problem);

        File.WriteAllBytes(documents, finalized);
        var trained = await Until(regions, "bpe", s => s.Status != IngestJobStatus.PreparingTokenizer, "the tokenizer to be trained");
        Assert.Null(trained.Problem);
        Assert.Equal(Path.Combine(output, "tokenizer.json"), trained.Tokenizer);
    }

    [Fact]
    public async Task A_job_whose_node_died_before_it_journaled_completion_completes_when_resumed_and_says_why_it_cannot()
    {
        string corpus = ShortDocuments(1);
        string tokenizer = root.Combine("tokenizer.json");
        HuggingFaceTokenizerJson.Save(BpeTrainer.Train(["the river and the garden, the river and the sea"], 600), tokenizer);
        var list = ShardFileList.Write(ShardFileList.PathIn(root.Combine("lists", "shard-0000")), SourceFiles.List([SourceSpec.Everything(corpus)]));
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = OFF");
        await using var node = await StartNode(overrides);
        // Two jobs whose every shard did the last stage, journaled as the last shard's event left them: one finalized
        // (no tokenizer), one tokenized, whose tokenizer is gone by the time its dataset index is written.
        string finalizedOutput = root.Combine("finalized"), tokenizedOutput = root.Combine("tokenized");
        Directory.CreateDirectory(finalizedOutput);
        Directory.CreateDirectory(tokenizedOutput);
        var tokens = new Data.Tokens.TokenizedShard(Path.Combine(tokenizedOutput, "shard-0000", "train.tokens"), 10, 1, 40,
            Path.Combine(tokenizedOutput, "shard-0000", "validation.tokens"), 0, 0, 0);
        (string Job, object[] Events)[] journals =
        [
            ("finalized",
            [
                new IngestJobEvents.Planned([], finalizedOutput, DateTimeOffset.UtcNow, FileLists: [list]),
                new IngestJobEvents.ShardCollected(0, 0, CleaningCounts.Empty),
                new IngestJobEvents.ShardFinalized(0, "documents.jsonl.zst", "00", CleaningCounts.Empty),
            ]),
            ("tokenized",
            [
                new IngestJobEvents.Planned([], tokenizedOutput, DateTimeOffset.UtcNow, tokenizer, 0.01, [list]),
                new IngestJobEvents.ShardCollected(0, 0, CleaningCounts.Empty),
                new IngestJobEvents.ShardFinalized(0, "documents.jsonl.zst", "00", CleaningCounts.Empty),
                new IngestJobEvents.TokenizerReady(tokenizer, null),
                new IngestJobEvents.ShardTokenized(0, tokens),
            ]),
        ];
        foreach (var (job, events) in journals)
            await node.System.ActorOf(Props.Create(() => new Journaling(IngestJobActor.PersistencePrefix + job, events))).Ask<Done>("persist", Patience);
        File.Move(tokenizer, tokenizer + ".away");

        var regions = Regions(node);
        var finalized = await Until(regions, "finalized", s => s.Status == IngestJobStatus.Completed, "the finalized job to complete");
        Assert.Null(finalized.Problem);
        Assert.True(File.Exists(Path.Combine(finalizedOutput, "stats.json")));

        var (stuck, done) = await StopsThenGoesOn(regions, "tokenized", mend: () => File.Move(tokenizer + ".away", tokenizer));
        Assert.Equal(IngestJobStatus.Tokenizing, stuck.Status);
        Assert.StartsWith($"writing the job's outputs failed: tokenizer '{tokenizer}' is neither", stuck.Problem);
        Assert.True(File.Exists(Path.Combine(tokenizedOutput, Data.Tokens.DatasetIndex.FileName)));
        Assert.True(File.Exists(Path.Combine(tokenizedOutput, "stats.json")));
    }

    // Documents the cleaning drops (a job's outcome is then its counts alone), named doc-N.txt.
    private string ShortDocuments(int count)
    {
        string corpus = root.Combine("corpus");
        Directory.CreateDirectory(corpus);
        for (int f = 0; f < count; f++) File.WriteAllText(Path.Combine(corpus, $"doc-{f}.txt"), "too short to keep");
        return corpus;
    }

    private static IngestRegions Regions(SingleNodeCluster node) =>
        IngestRegions.Start(node.System, DataSettings.From(node.Config), IngestSettings.From(node.Config));

    // The job's status, asked four times a second until it shows what is awaited.
    private static Task<IngestJobState> Until(IngestRegions regions, string job, Func<IngestJobState, bool> condition, string what) =>
        Eventually.Until(() => regions.Jobs.Ask<IngestJobState>(new IngestJobCommands.GetStatus(job), Patience), condition, Patience, what, TimeSpan.FromMilliseconds(250));

    // Waits until the job says what stops it, mends the cause, and waits until it completes with nothing said.
    private static async Task<(IngestJobState Stuck, IngestJobState Done)> StopsThenGoesOn(IngestRegions regions, string job, Action mend)
    {
        var stuck = await Until(regions, job, s => s.Problem is not null, "the job to say what stops it");
        mend();
        var done = await Until(regions, job, s => s.Status == IngestJobStatus.Completed, "the job to complete");
        Assert.Null(done.Problem);
        return (stuck, done);
    }

    private Task<SingleNodeCluster> StartNode(Config overrides) =>
        SingleNodeCluster.StartAsync("ingest", new SqliteJournal(root.Combine("journal.db")), overrides, Patience);

    /// <summary>Journals events under a persistence id, as another build's (or an earlier run's) actor would have.</summary>
    private sealed class Journaling : ReceivePersistentActor
    {
        public Journaling(string persistenceId, params object[] events)
        {
            PersistenceId = persistenceId;
            Command<string>(_ =>
            {
                var requester = Sender;
                int left = events.Length;
                PersistAll(events, _ =>
                {
                    if (--left == 0) requester.Tell(Done.Instance);
                });
            });
        }

        public override string PersistenceId { get; }
    }
}
