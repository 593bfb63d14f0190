using ActorTrain.Data.Sampling;
using System.Diagnostics;
using ActorTrain.Data.Cloze;
using ActorTrain.Data.Tokens;
using ActorTrain.Model;
using static TorchSharp.torch;

namespace ActorTrain.Benchmarks.Training;

/// <summary>
/// Training throughput of the tiny and small presets with our fused attention against libtorch's
/// SDPA and the naive softmax(q kᵀ) v, measured in the same process on the same batches (speedup =
/// SDPA time / fused time), the peak resident memory a step adds (each implementation in a process of its own), and
/// the drift of resident memory over 2000 steps of the tiny model (flat means no native tensor leaks per step).
/// </summary>
public static class TrainingSuite
{
    private const int Vocabulary = 4096;

    public static SuiteResult Run(BenchmarkOptions options)
    {
        set_num_threads(options.Threads);
        string root = Directory.CreateTempSubdirectory("actortrain-training-bench-").FullName;
        try
        {
            var rows = new List<ResultRow>();
            var details = new Dictionary<string, double>();
            foreach (string preset in options.Quick ? ["tiny"] : new[] { "tiny", "small" })
            {
                var model = ModelConfig.Preset(preset, Vocabulary);
                using var samples = Dataset(root, model.Context, tokens: 2_000_000);
                int batch = StepSequences;
                var kinds = new[] { AttentionKind.Fused, AttentionKind.Sdpa, AttentionKind.Naive };
                var trainers = kinds.Select(kind => Trainer(model with { Attention = kind }, batch, samples)).ToArray();
                // A step counter each: interleaved, every implementation trains on the same batches in the same order.
                var steps = new long[trainers.Length];
                var times = Measure.MedianMilliseconds(options.WarmUps, options.Repetitions,
                    [.. trainers.Select<ReplicaTrainer, Action>((t, i) => () => t.Step(Batch(steps[i]++, batch, samples.Count)))]);
                double tokens = batch * model.Context;
                foreach (var trainer in trainers) trainer.Dispose();
                var peaks = kinds.Select(kind => ChildProcess.RunForNumber("training-memory", root, preset, kind.ToString(), $"{options.Threads}")).ToArray();
                rows.Add(new ResultRow($"{preset} step (B{batch} T{model.Context}), fused vs sdpa", Math.Round(tokens / times[0] * 1000), Math.Round(tokens / times[1] * 1000),
                    "libtorch SDPA", "tokens/s", Math.Round(times[1] / times[0], 3), OursPeakExtraMb: Math.Round(peaks[0], 1), BaselinePeakExtraMb: Math.Round(peaks[1], 1)));
                rows.Add(new ResultRow($"{preset} step (B{batch} T{model.Context}), fused vs naive", Math.Round(tokens / times[0] * 1000), Math.Round(tokens / times[2] * 1000),
                    "naive attention", "tokens/s", Math.Round(times[2] / times[0], 3), OursPeakExtraMb: Math.Round(peaks[0], 1), BaselinePeakExtraMb: Math.Round(peaks[2], 1)));
            }
            // SDPA first: its drift is the floor of everything but our autograd function.
            foreach (var kind in new[] { AttentionKind.Sdpa, AttentionKind.Fused })
            {
                var (first, last, steps) = RssDrift(root, kind, options.Quick ? 300 : 2000);
                details[$"tiny B4 T64 {kind}: RSS after 100 steps (MiB)"] = Math.Round(first, 1);
                details[$"tiny B4 T64 {kind}: RSS after {steps} steps (MiB)"] = Math.Round(last, 1);
                details[$"tiny B4 T64 {kind}: RSS drift per 1000 steps (MiB)"] = Math.Round((last - first) / (steps - 100) * 1000, 2);
            }
            return new SuiteResult("training", Measure.Machine(options.Threads), options.Quick, rows, details);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // Sequences per timed step.
    private const int StepSequences = 8;

    private static ReplicaTrainer Trainer(ModelConfig model, int batch, TokenSamples samples) =>
        new(new Gpt(model, 1), TrainingConfig.Default(Objective.Causal, 1000) with { GlobalBatch = batch, MicroBatch = batch },
            new TrainingBatch(samples, Objective.Causal, Cloze, 1, new RandomStreams(1, RandomStreams.ForNewRuns)));

    /// <summary>The child side: args ROOT PRESET KIND THREADS; prints the MiB one step of 8 sequences adds. A process of
    /// its own, so that no other implementation's memory (or our kernels' scratch from earlier steps) is resident; a
    /// step of one sequence first keeps the JIT and the optimizer's moments (the same for all) out of the figure.</summary>
    public static double MeasureMemory(string[] args)
    {
        string root = args[0];
        var model = ModelConfig.Preset(args[1], Vocabulary) with { Attention = Enum.Parse<AttentionKind>(args[2]) };
        set_num_threads(int.Parse(args[3]));
        using var samples = Dataset(root, model.Context, tokens: 2_000_000);
        using var trainer = Trainer(model, StepSequences, samples);
        trainer.Step([0]);
        return Measure.PeakExtraMegabytes(() => trainer.Step(Batch(1, StepSequences, samples.Count)));
    }

    private static readonly ClozeTokens Cloze = new(Vocabulary - 70, Vocabulary - 69, Vocabulary - 70, [.. Enumerable.Range(Vocabulary - 64, 64)]);

    private static long[] Batch(long step, int batch, long count) => [.. Enumerable.Range(0, batch).Select(i => (step * batch + i) % count)];

    // Resident memory after 100 steps and after all of them, with short steps so 2000 fit in about a minute.
    private static (double First, double Last, int Steps) RssDrift(string root, AttentionKind kind, int steps)
    {
        var model = ModelConfig.Preset("tiny", Vocabulary) with { Context = 64, Attention = kind };
        using var samples = Dataset(root, model.Context, tokens: 500_000);
        using var trainer = new ReplicaTrainer(new Gpt(model, 1), TrainingConfig.Default(Objective.Causal, steps) with { GlobalBatch = 4, MicroBatch = 4 },
            new TrainingBatch(samples, Objective.Causal, Cloze, 1, new RandomStreams(1, RandomStreams.ForNewRuns)));
        double first = 0;
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < steps; step++)
        {
            trainer.Step(Batch(step, 4, samples.Count));
            if (step == 99) first = ResidentMegabytes();
        }
        Console.Error.WriteLine($"training: {steps} {kind} steps for the RSS drift in {clock.Elapsed.TotalSeconds:0} s");
        return (first, ResidentMegabytes(), steps);
    }

    private static TokenSamples Dataset(string root, int context, int tokens)
    {
        string directory = Path.Combine(root, $"data-{context}-{tokens}");
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            var random = new Random(3);
            using var writer = new PackedShardWriter(Path.Combine(directory, "train.tokens"), Vocabulary, Cloze.EndOfText);
            for (int written = 0; written < tokens; written += 1000)
                writer.AddDocument([.. Enumerable.Range(0, 999).Select(_ => random.Next(Cloze.OrdinaryTokens))]);
            writer.Complete();
            new DatasetIndex("random", null, Vocabulary, Cloze.EndOfText, [new DatasetShard("train.tokens", DatasetShard.Train, writer.Tokens, writer.Documents, writer.Tokens)]).Save(directory);
        }
        return new TokenSamples(directory, DatasetIndex.Load(directory), DatasetShard.Train, context);
    }

    private static double ResidentMegabytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return long.Parse(line[6..].Trim().Split(' ')[0]) / 1024.0;
        throw new InvalidOperationException("/proc/self/status has no VmRSS");
    }
}
