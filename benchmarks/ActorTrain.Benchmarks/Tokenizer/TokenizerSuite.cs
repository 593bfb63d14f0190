using System.Diagnostics;
using ActorTrain.Tokenizers;
using Microsoft.ML.Tokenizers;

namespace ActorTrain.Benchmarks.Tokenizer;

/// <summary>
/// Encode throughput of our byte-level BPE encoder against Microsoft.ML.Tokenizers' tiktoken encoder
/// on GPT-2's vocabulary, one thread and all threads, over the same prose, code and multilingual
/// text — every document's ids compared before anything is timed — and BPE training time for 8k
/// and 32k vocabularies. Documents that spell "&lt;|endoftext|&gt;" are left out: Microsoft's encoder
/// turns that text into the special token, ours (by design, for training data) does not.
/// Both encoders cache the pieces they have encoded (ours up to 131 072 per thread, Microsoft's an LRU), and the warm
/// rows encode text already seen; the cold rows time one pass on fresh encoders, as over text a process meets once.
/// </summary>
public static class TokenizerSuite
{
    public static SuiteResult Run(BenchmarkOptions options)
    {
        long sampleBytes = options.Quick ? 2_000_000 : 8_000_000;
        string repository = FindRepository();
        var samples = new (string Name, List<string> Documents)[]
        {
            ("prose", MachineText.Prose(sampleBytes)),
            ("code", MachineText.Code(sampleBytes, repository)),
            ("multilingual", MachineText.Multilingual(sampleBytes / 4, seed: 1)),
        };
        var ours = PretrainedTokenizers.OurGpt2();
        var microsoft = TiktokenTokenizer.CreateForModel("gpt2");
        var rows = new List<ResultRow>();
        var details = new Dictionary<string, double>();
        foreach (var (name, all) in samples)
        {
            var documents = all.Where(d => !d.Contains(SpecialTokens.EndOfText, StringComparison.Ordinal)).ToList();
            double megabytes = MachineText.Bytes(documents) / 1e6;
            long mismatches = documents.Count(d => !microsoft.EncodeToIds(d).SequenceEqual(ours.Encode(d)));
            if (mismatches > 0) throw new InvalidOperationException($"{name}: {mismatches} documents encode differently; no timing of different outputs");
            details[$"{name}: MB"] = Math.Round(megabytes, 2);
            details[$"{name}: tokens"] = documents.Sum(d => ours.Encode(d).Length);
            foreach (int threads in new[] { 1, options.Threads }.Distinct())
            {
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
                var times = Measure.MedianMilliseconds(options.WarmUps, options.Repetitions,
                    () => Parallel.ForEach(documents, parallel, d => ours.Encode(d)),
                    () => Parallel.ForEach(documents, parallel, d => microsoft.EncodeToIds(d)));
                double oursRate = megabytes / (times[0] / 1000), theirRate = megabytes / (times[1] / 1000);
                rows.Add(new ResultRow($"encode {name}, {threads} thread{(threads > 1 ? "s" : "")}, warm", Math.Round(oursRate, 2), Math.Round(theirRate, 2),
                    "Microsoft.ML.Tokenizers", "MB/s", Math.Round(times[1] / times[0], 3)));

                var cold = Measure.MedianMillisecondsFresh(options.Repetitions,
                    () =>
                    {
                        var fresh = new ByteLevelBpeTokenizer(ours.Vocabulary, ours.Reference);
                        return () => Parallel.ForEach(documents, parallel, d => fresh.Encode(d));
                    },
                    () =>
                    {
                        var fresh = TiktokenTokenizer.CreateForModel("gpt2");
                        return () => Parallel.ForEach(documents, parallel, d => fresh.EncodeToIds(d));
                    });
                double oursCold = megabytes / (cold[0] / 1000), theirCold = megabytes / (cold[1] / 1000);
                rows.Add(new ResultRow($"encode {name}, {threads} thread{(threads > 1 ? "s" : "")}, cold", Math.Round(oursCold, 2), Math.Round(theirCold, 2),
                    "Microsoft.ML.Tokenizers", "MB/s", Math.Round(cold[1] / cold[0], 3)));
            }
        }

        var corpus = samples.SelectMany(s => s.Documents).ToList();
        long trainingBytes = options.Quick ? 5_000_000 : 50_000_000;
        var extra = MachineText.Prose(trainingBytes * 2).Concat(MachineText.Code(trainingBytes, repository));
        var training = corpus.Concat(extra).TakeWhileTotal(trainingBytes);
        details["training corpus MB"] = Math.Round(MachineText.Bytes(training) / 1e6, 1);
        foreach (int size in new[] { 8192, 32768 })
        {
            // The median of three trainings (one in quick mode): a single one on a shared machine is one draw of its noise.
            int merges = 0;
            var seconds = Enumerable.Range(0, options.Quick ? 1 : 3).Select(_ =>
            {
                var clock = Stopwatch.StartNew();
                merges = BpeTrainer.Train(training, size).MergePairs.Count;
                return clock.Elapsed.TotalSeconds;
            }).ToList();
            details[$"train bpe {size / 1024}k: seconds"] = Math.Round(Measure.Median(seconds), 2);
            details[$"train bpe {size / 1024}k: merges"] = merges;
        }
        return new SuiteResult("tokenizer", Measure.Machine(options.Threads), options.Quick, rows, details);
    }

    private static List<string> TakeWhileTotal(this IEnumerable<string> documents, long bytes)
    {
        var taken = new List<string>();
        long total = 0;
        foreach (string document in documents)
        {
            if (total >= bytes) break;
            taken.Add(document);
            total += System.Text.Encoding.UTF8.GetByteCount(document);
        }
        return taken;
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "ActorTrain.sln"))) return directory.FullName;
        return Directory.GetCurrentDirectory();
    }
}
