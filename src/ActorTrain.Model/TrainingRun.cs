using System.Diagnostics;
using ActorTrain.Data.Cloze;
using ActorTrain.Data.Sampling;
using ActorTrain.Data.Tokens;
using ActorTrain.Tokenizers;

namespace ActorTrain.Model;

/// <summary>Where a single-replica run reads, writes and how often it evaluates and checkpoints.</summary>
public sealed record TrainingRunOptions(string DatasetDirectory, string RunDirectory, ModelConfig Model, TrainingConfig Training,
    int EvaluateEvery = 100, int CheckpointEvery = 500, int ValidationSamples = 64);

/// <summary>What one step did, for progress displays.</summary>
public sealed record StepReport(StepResult Result, double TokensPerSecond, EvaluationResult? Validation);

/// <summary>
/// One replica training on a tokenized dataset: the global batch of each step from the sampler,
/// metrics to metrics.jsonl and TensorBoard, validation every so many steps, checkpoints with
/// everything needed to resume — and resuming from the newest good checkpoint of the run directory.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private readonly TokenSamples train;
    private readonly TokenSamples validation;
    private readonly TrainingBatch trainBatches;
    private readonly TrainingBatch validationBatches;
    private readonly GlobalBatchSampler sampler;
    private readonly MetricsLog metrics;
    private readonly long[] validationSamples;
    private readonly double tokensPerByte;
    private readonly RunDirectoryLock runLock;

    private TrainingRun(TrainingRunOptions options, DatasetIndex index, Action<string> warn)
    {
        Index = index;
        var (cloze, padding) = SpecialTokensFor(options.Training.Objective, index);
        // Shards are mapped and the model lives in native memory: a run refused half-way (too few samples, another
        // run's checkpoint) must free what it already holds, or a long-lived host leaks a model per refusal.
        LoadedCheckpoint? checkpoint = null;
        try
        {
            runLock = RunDirectoryLock.Take(options.RunDirectory);
            checkpoint = Checkpoint.ReadLatest(options.RunDirectory, warn);
            // A run resumes with the stream derivation it started with (older runs have the first one), so its sample
            // order and masks go on as they were; any other difference in its settings refuses it below.
            if (checkpoint is not null) options = options with { Training = options.Training with { StreamDerivation = checkpoint.Metadata.Training.StreamDerivation } };
            Options = options;
            var streams = options.Training.Streams;
            train = new TokenSamples(options.DatasetDirectory, index, DatasetShard.Train, options.Model.Context);
            validation = new TokenSamples(options.DatasetDirectory, index, DatasetShard.Validation, options.Model.Context);
            if (train.Count < options.Training.GlobalBatch)
                throw new InvalidDataException($"{options.DatasetDirectory}: {train.Count} training samples of {options.Model.Context + 1} tokens, fewer than one global batch of {options.Training.GlobalBatch}");
            trainBatches = new TrainingBatch(train, options.Training.Objective, cloze, padding, streams);
            validationBatches = new TrainingBatch(validation, options.Training.Objective, cloze, padding, streams);
            sampler = new GlobalBatchSampler(new SampleOrder(train.Count, streams), options.Training.GlobalBatch);
            validationSamples = [.. Enumerable.Range(0, (int)Math.Min(options.ValidationSamples, validation.Count)).Select(i => (long)i)];
            var validationShards = index.Split(DatasetShard.Validation).ToArray();
            tokensPerByte = validationShards.Sum(s => s.Tokens) / (double)Math.Max(1, validationShards.Sum(s => s.TextBytes));
            Trainer = new ReplicaTrainer(new Gpt(options.Model, (long)options.Training.Seed), options.Training, trainBatches);
            if (checkpoint is not null)
            {
                CheckpointFit.ThrowIfOtherRun(checkpoint, options.Training, index, options.DatasetDirectory);
                checkpoint.Restore(Trainer);
                ConsumedSamples = checkpoint.Metadata.ConsumedSamples;
                ResumedFrom = checkpoint.Directory;
            }
            metrics = new MetricsLog(options.RunDirectory, resumedAt: Trainer.Optimizer.Steps);
        }
        catch
        {
            Dispose();
            throw;
        }
        finally
        {
            checkpoint?.Dispose();
        }
    }

    public TrainingRunOptions Options { get; }

    public DatasetIndex Index { get; }

    public ReplicaTrainer Trainer { get; }

    public long Step => Trainer.Optimizer.Steps;

    public long ConsumedSamples { get; private set; }

    public string? ResumedFrom { get; }

    public bool Finished => Step >= Options.Training.Steps;

    public long TrainSamples => train.Count;

    public long ValidationSampleCount => validationSamples.Length;

    /// <exception cref="InvalidDataException">The dataset, tokenizer or a checkpoint cannot be used; the message says why.</exception>
    public static TrainingRun Open(TrainingRunOptions options, Action<string> warn)
    {
        var index = DatasetIndex.Load(options.DatasetDirectory);
        if (options.Model.VocabularySize != index.VocabularySize)
            throw new InvalidDataException($"the model has a vocabulary of {options.Model.VocabularySize}, the dataset {index.VocabularySize}");
        if (index.TokenizerChange() is { } changed) throw new InvalidDataException($"{options.DatasetDirectory}: {changed}");
        if (index.TokenizerMissing) warn($"the dataset's tokenizer {index.Tokenizer} is not at hand: next-token training goes on without it, but `sample` will need it there");
        return new TrainingRun(options, index, warn);
    }

    /// <summary>The special tokens an objective needs (shared with the cluster's replicas): next-token
    /// prediction needs none but the dataset's end-of-text, so it runs on datasets whose tokenizer is not
    /// at hand; the cloze objectives take mask, sentinels and padding from the dataset's tokenizer.</summary>
    public static (ClozeTokens Cloze, int Padding) SpecialTokensFor(Objective objective, DatasetIndex index)
    {
        if (!objective.IsCloze()) return (new ClozeTokens(index.EndOfText, index.EndOfText, index.EndOfText, []), index.EndOfText);
        var tokenizer = TokenizerCatalog.Load(index.Tokenizer);
        return (new ClozeTokens(tokenizer.EndOfText, tokenizer.Mask, tokenizer.EndOfText, tokenizer.Sentinels), tokenizer.Padding);
    }

    public StepReport TrainStep()
    {
        var clock = Stopwatch.StartNew();
        var result = Trainer.Step(sampler.VisitsFor(ConsumedSamples, rank: 0, worldSize: 1));
        ConsumedSamples += Options.Training.GlobalBatch;
        double tokensPerSecond = result.Tokens / clock.Elapsed.TotalSeconds;
        var values = new Dictionary<string, double>
        {
            ["train/loss"] = result.Loss,
            ["train/learning_rate"] = result.LearningRate,
            ["train/gradient_norm"] = result.GradientNorm,
            ["train/tokens_per_second"] = tokensPerSecond,
            ["train/consumed_samples"] = ConsumedSamples,
        };
        EvaluationResult? evaluation = null;
        if (validationSamples.Length > 0 && (Step % Options.EvaluateEvery == 0 || Finished))
        {
            evaluation = Evaluate()!;
            values["validation/loss"] = evaluation.Loss;
            values["validation/perplexity"] = evaluation.Perplexity;
            values["validation/bits_per_byte"] = evaluation.BitsPerByte;
            if (evaluation.MaskedAccuracy is double accuracy) values["validation/masked_accuracy"] = accuracy;
        }
        metrics.Record(Step, values); // the non-finite loss too: the metrics say where it went wrong
        if (!double.IsFinite(result.Loss) || !double.IsFinite(result.GradientNorm))
            throw new TrainingDivergedException(Step, $"the loss is {result.Loss} and the gradient norm {result.GradientNorm}");
        if (Step % Options.CheckpointEvery == 0 || Finished) SaveCheckpoint();
        return new StepReport(result, tokensPerSecond, evaluation);
    }

    /// <summary>Loss and friends on the first validation samples (the same ones every time); null without validation data.</summary>
    public EvaluationResult? Evaluate() => validationSamples.Length == 0 ? null :
        EvaluationResult.Measure(Trainer.Model, validationBatches, Options.Training.Objective, validationSamples, Options.Training.MicroBatch, tokensPerByte);

    /// <exception cref="TrainingDivergedException">A parameter is NaN or infinite: the update of the last step
    /// overflowed though its loss was still finite. Nothing is written.</exception>
    public string SaveCheckpoint()
    {
        if (Trainer.Model.NonFiniteParameter() is string name)
            throw new TrainingDivergedException(Step, $"parameter {name} is no longer finite");
        return Checkpoint.Save(Options.RunDirectory, Trainer, ConsumedSamples, Index.Tokenizer, Index.TokenizerSha256, Path.GetFullPath(Options.DatasetDirectory));
    }

    // Null-tolerant: the constructor calls it on whatever it built before it failed.
    public void Dispose()
    {
        metrics?.Dispose();
        Trainer?.Dispose();
        train?.Dispose();
        validation?.Dispose();
        runLock?.Dispose();
    }
}
