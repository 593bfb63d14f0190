using ActorTrain.Data.Cloze;
using ActorTrain.Data.Sampling;
using ActorTrain.Data.Tokens;
using ActorTrain.Model;
using ActorTrain.Protocol.Training;
using ActorTrain.Tokenizers;

namespace ActorTrain.Cluster.Training;

/// <summary>What one replica holds: its trainer over the run's dataset and the sampler every replica shares.</summary>
public sealed class ReplicaSetup : IDisposable
{
    private readonly TokenSamples samples;
    private bool disposed;

    public ReplicaSetup(TrainingSpec spec)
    {
        var index = DatasetIndex.Load(spec.Dataset);
        if (index.TokenizerChange() is { } changed) throw new InvalidDataException($"{spec.Dataset}: {changed}");
        Index = index;
        Spec = spec;
        var objective = Enum.Parse<Objective>(spec.Objective, ignoreCase: true);
        var model = ModelConfig.Preset(spec.Preset, index.VocabularySize);
        var training = TrainingConfig.Default(objective, spec.Steps) with
        {
            GlobalBatch = spec.GlobalBatch, MicroBatch = spec.MicroBatch, LearningRate = spec.LearningRate, Seed = spec.Seed, StreamDerivation = spec.StreamDerivation,
        };
        var (cloze, padding) = TrainingRun.SpecialTokensFor(objective, index);
        samples = new TokenSamples(spec.Dataset, index, DatasetShard.Train, model.Context);
        Sampler = SamplerFor(spec, samples.Count);
        Trainer = new ReplicaTrainer(new Gpt(model, (long)spec.Seed), training, new TrainingBatch(samples, objective, cloze, padding, training.Streams));
    }

    public ReplicaTrainer Trainer { get; }

    public DatasetIndex Index { get; }

    public TrainingSpec Spec { get; }

    /// <summary>Writes a checkpoint of a snapshot of this replica (any thread: the replica may train on meanwhile).</summary>
    /// <returns>The checkpoint directory and the sha256 of its metadata.json (which holds every other file's).</returns>
    public (string Path, string Sha256) WriteCheckpoint(TrainerSnapshot snapshot, long consumedSamples)
    {
        string path = Checkpoint.Save(Spec.RunDirectory, snapshot, consumedSamples, Index.Tokenizer, Index.TokenizerSha256, Path.GetFullPath(Spec.Dataset));
        return (path, Checkpoint.Sha256Of(Path.Combine(path, "metadata.json")));
    }

    public GlobalBatchSampler Sampler { get; }

    /// <summary>The sample order every replica of a run shares, over a dataset of <paramref name="trainSamples"/> samples.</summary>
    public static GlobalBatchSampler SamplerFor(TrainingSpec spec, long trainSamples) =>
        new(new SampleOrder(trainSamples, new RandomStreams(spec.Seed, spec.StreamDerivation)), spec.GlobalBatch);

    /// <summary>The same, counting the spec's dataset's training samples: what a checker of a run's journal rebuilds.</summary>
    public static GlobalBatchSampler SamplerFor(TrainingSpec spec)
    {
        var index = DatasetIndex.Load(spec.Dataset);
        using var samples = new TokenSamples(spec.Dataset, index, DatasetShard.Train, ModelConfig.Preset(spec.Preset, index.VocabularySize).Context);
        return SamplerFor(spec, samples.Count);
    }

    // Once: a replica dropped after a failure may be disposed again when its actor stops.
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Trainer.Dispose();
        samples.Dispose();
    }
}
