using ActorTrain.Cluster.Ingest;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Cleaning.Quality;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Ingest;
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
        int chunksBeforeStop;
        await using (var node = new Node(journal))
        {
            var actor = node.Shard(shard);
            await actor.Ask<DataShardState>(new DataShardCommands.Collect(shard, [.. files], resumed), Patience);
            var seen = await Eventually.Until(() => actor.Ask<DataShardState>(new DataShardCommands.GetState(shard), Patience),
                s => s.Chunks.Length >= 3, Patience, "three chunks");
            chunksBeforeStop = seen.Chunks.Length;
        }
        var afterStop = Directory.GetFiles(resumed, "chunk-*").Length;
        File.WriteAllText(ShardCollector.ChunkPath(resumed, 999) + ".partial", "torn write");
        File.WriteAllText(ShardCollector.ChunkPath(resumed, afterStop), "renamed but never journaled");

        await using (var node = new Node(journal))
        {
            var state = await node.WaitUntilCollected(shard);
            Assert.True(state.Chunks.Length > chunksBeforeStop, "collection went on after the restart");
        }

        Assert.Equal(Lines(reference, "chunk-*"), Lines(resumed, "chunk-*"));
        Assert.Equal(Lines(reference, "quarantine-*"), Lines(resumed, "quarantine-*"));
        Assert.Empty(Directory.GetFiles(resumed, "*.partial"));
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

    /// <summary>One actor system over a journal, with data shards collecting one record per chunk.</summary>
    private sealed class Node(JournalTarget journal) : IAsyncDisposable
    {
        private readonly JournaledActorSystem journaled = new(journal);

        private ActorSystem System => journaled.System;

        private static readonly ShardCollector Collector = new(new ReaderSettings(),
            new CleaningPipeline([new NormaliseStage(), new GopherQualityStage(new GopherQualitySettings { MinWords = 20 })]));

        public IActorRef Shard(DataShardId id) => System.ActorOf(DataShardActor.Props(id, Collector, chunkRecords: 1), "shard");

        public async Task CollectToTheEnd(DataShardId id, IReadOnlyList<string> files, string output)
        {
            await Shard(id).Ask<DataShardState>(new DataShardCommands.Collect(id, [.. files], output), Patience);
            await WaitUntilCollected(id, created: true);
        }

        public async Task<DataShardState> WaitUntilCollected(DataShardId id, bool created = false)
        {
            var actor = created ? await System.ActorSelection("/user/shard").ResolveOne(Patience) : Shard(id);
            return await Eventually.Until(() => actor.Ask<DataShardState>(new DataShardCommands.GetState(id), Patience),
                s => s.Stage == DataShardStage.Collected, Patience, "collection to finish");
        }

        public ValueTask DisposeAsync() => journaled.DisposeAsync();
    }
}
