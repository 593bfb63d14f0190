using ActorTrain.Data.Sampling;

namespace ActorTrain.Protocol.Training;

/// <summary>What a training run trains: the dataset, the model preset, the objective and the
/// optimisation settings, how many replicas share the fixed global batch, and where and how often
/// its checkpoints are written, and how it derives its random streams (sample order, masks).</summary>
public sealed record TrainingSpec(
    string Dataset,
    string RunDirectory,
    string Preset,
    string Objective,
    int Steps,
    int GlobalBatch,
    int MicroBatch,
    double LearningRate,
    ulong Seed,
    int Replicas,
    int CheckpointEvery,
    // Absent from runs journaled before it existed, and so the first way (the enum's default), as they derived theirs.
    StreamDerivation StreamDerivation);
