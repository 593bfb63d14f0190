using System.Diagnostics;
using ActorTrain.Cluster;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Ingest;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Dedup;
using ActorTrain.Data.Ingest;
using ActorTrain.Protocol.Ingest;
using Akka.Actor;
using Akka.Configuration;

namespace ActorTrain.Benchmarks.Cleaning;

/// <summary>
/// The whole cleaning path on a generated web-like corpus: the sharded ingest job on a one-node
/// cluster (one data shard per thread) against SequentialIngest, the same path in one thread
/// without actors. Also: the cleaning stages' own throughput in one thread, each stage's share of it, and MinHash
/// signatures per second; and reading one large file in chunks, kept open against reopened per chunk. Each round
/// checks that both paths kept the same documents before its times count.
/// </summary>
public static class CleaningSuite
{
    public static async Task<SuiteResult> RunAsync(BenchmarkOptions options)
    {
        int documents = options.Quick ? 4_000 : 40_000;
        string root = Directory.CreateTempSubdirectory("actortrain-cleaning-bench-").FullName;
        try
        {
            string corpus = Path.Combine(root, "corpus");
            long bytes = WebLikeCorpus.Write(corpus, documents, files: 16, seed: 2026);
            double megabytes = bytes / 1e6;
            var config = EmbeddedHocon.Load(EmbeddedHocon.Base);
            var data = DataSettings.From(config);
            var files = SourceFiles.List([SourceSpec.Everything(corpus)]);
            Console.Error.WriteLine($"cleaning: {documents} documents, {megabytes:0.0} MB in {files.Count} files");

            var sequential = new List<double>();
            var sharded = new List<double>();
            // A first round is not counted (except in a quick run): it compiles, and instruments for dynamic PGO, all
            // of the path (sharded 13-15 s against 7-8 s after it, sequential 8-9 s against 5-6 s).
            int rounds = options.Quick ? 1 : 4;
            for (int run = 0; run < rounds; run++)
            {
                string output = Path.Combine(root, $"sequential-{run}");
                Directory.CreateDirectory(output);
                var clock = Stopwatch.StartNew();
                var reference = new SequentialIngest(data.Readers, data.Pipeline, data.MinHash).Run(files, output);
                double sequentialSeconds = clock.Elapsed.TotalSeconds;
                var (shardedSeconds, shardedOutputs) = await Sharded(root, run, corpus, options.Threads);
                // Timing two paths is only a comparison if they keep the same documents.
                SameDocuments(reference.Output, shardedOutputs);
                Console.Error.WriteLine($"cleaning round {run}: sequential {sequentialSeconds:0.00} s, sharded {shardedSeconds:0.00} s{(run == 0 && rounds > 1 ? " (warm-up)" : "")}");
                if (run == 0 && rounds > 1) continue;
                sequential.Add(sequentialSeconds);
                sharded.Add(shardedSeconds);
            }

            double medianSequential = Measure.Median(sequential), medianSharded = Measure.Median(sharded);
            var rows = new List<ResultRow>
            {
                new($"whole path, {options.Threads} shards", Math.Round(medianSharded, 3), Math.Round(medianSequential, 3), "sequential", "s",
                    Math.Round(medianSequential / medianSharded, 3)),
            };
            string oneFile = Path.Combine(root, "one-file");
            WebLikeCorpus.Write(oneFile, documents, files: 1, seed: 7);
            string theFile = SourceFiles.List([SourceSpec.Everything(oneFile)]).Single();
            var (keptOpen, reopened) = ChunkedReading.MedianSeconds(theFile, data.Readers, rounds: 3);
            Console.Error.WriteLine($"reading one file in chunks of {ChunkedReading.ChunkRecords}: kept open {keptOpen:0.00} s, reopened per chunk {reopened:0.00} s");
            // Named by the file's own size (another corpus than the one above, of another seed).
            rows.Add(new($"one {new FileInfo(theFile).Length / 1e6:0} MB JSONL file in chunks of {ChunkedReading.ChunkRecords} records", Math.Round(keptOpen, 3), Math.Round(reopened, 3),
                "file reopened per chunk", "s", Math.Round(reopened / keptOpen, 3)));
            var details = new Dictionary<string, double>
            {
                ["sharded MB/s per core"] = Math.Round(megabytes / medianSharded / options.Threads, 2),
                ["sequential MB/s (one core)"] = Math.Round(megabytes / medianSequential, 2),
                ["minhash signatures/s (one core)"] = Math.Round(MinHashRate(files, data), 0),
            };
            // Each stage's median over three passes (one in a quick run): one pass is one draw of a shared machine's noise.
            var passes = Enumerable.Range(0, options.Quick ? 1 : 3).Select(_ => StageSeconds(files, data)).ToList();
            var stageSeconds = passes[0].Keys.ToDictionary(stage => stage, stage => Measure.Median([.. passes.Select(pass => pass[stage])]));
            double cleaningSeconds = stageSeconds.Values.Sum();
            details["cleaning stages MB/s (one core)"] = Math.Round(megabytes / cleaningSeconds, 2);
            foreach (var (stage, seconds) in stageSeconds) details[$"share of cleaning time: {stage}"] = Math.Round(seconds / cleaningSeconds, 3);
            return new SuiteResult("cleaning", Measure.Machine(options.Threads), options.Quick, rows, details);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void SameDocuments(string sequentialOutput, IReadOnlyList<string> shardedOutputs)
    {
        var sequential = SequentialIngest.ReadLines(sequentialOutput).Order(StringComparer.Ordinal).ToArray();
        var sharded = shardedOutputs.SelectMany(SequentialIngest.ReadLines).Order(StringComparer.Ordinal).ToArray();
        if (!sequential.SequenceEqual(sharded))
            throw new InvalidOperationException($"the sharded job kept {sharded.Length} documents and the sequential path {sequential.Length}, " +
                                                $"{sequential.Except(sharded).Count()} of them not the same: no timing of different outputs");
    }

    /// <returns>The seconds the job took, and its shards' outputs.</returns>
    private static async Task<(double Seconds, IReadOnlyList<string> Outputs)> Sharded(string root, int run, string corpus, int shards)
    {
        var overrides = ConfigurationFactory.ParseString("akka.loglevel = WARNING");
        await using var node = await SingleNodeCluster.StartAsync("bench", new SqliteJournal(Path.Combine(root, $"journal-{run}.db")), overrides, TimeSpan.FromSeconds(60));
        var regions = IngestRegions.Start(node.System, DataSettings.From(node.Config), IngestSettings.From(node.Config));
        var clock = Stopwatch.StartNew();
        var patience = TimeSpan.FromMinutes(10);
        var state = await regions.Jobs.Ask<IngestJobState>(new IngestJobCommands.Start("bench", [corpus], [], [], shards, Path.Combine(root, $"sharded-{run}")), patience);
        while (state.Status != IngestJobStatus.Completed)
        {
            await Task.Delay(20);
            state = await regions.Jobs.Ask<IngestJobState>(new IngestJobCommands.GetStatus("bench"), patience);
        }
        return (clock.Elapsed.TotalSeconds, [.. state.Shards.Select(shard => shard.Output!)]);
    }

    // Seconds each cleaning stage spends on the corpus, in one thread (a document stops at the stage that drops it).
    private static Dictionary<string, double> StageSeconds(IReadOnlyList<string> files, DataSettings data)
    {
        var reader = new DocumentReader(data.Readers);
        var seconds = data.Pipeline.Stages.ToDictionary(s => s.Name, _ => 0.0);
        foreach (var document in files.SelectMany(reader.Read).Select(i => i.Document).OfType<ActorTrain.Data.Documents.Document>())
        {
            var current = document;
            foreach (var stage in data.Pipeline.Stages)
            {
                long start = Stopwatch.GetTimestamp();
                var result = stage.Apply(current);
                seconds[stage.Name] += Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (result.Kept is null) break;
                current = result.Kept;
            }
        }
        return seconds;
    }

    private static double MinHashRate(IReadOnlyList<string> files, DataSettings data)
    {
        var minHash = new MinHashSignature(data.MinHash);
        var texts = files.SelectMany(new DocumentReader(data.Readers).Read).Select(i => i.Document?.Text).OfType<string>().Take(5_000).ToArray();
        var clock = Stopwatch.StartNew();
        foreach (string text in texts) minHash.Compute(text);
        return texts.Length / clock.Elapsed.TotalSeconds;
    }
}
