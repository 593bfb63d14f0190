namespace ActorTrain.Protocol.Training;

/// <summary>What a training run trains: the dataset, the model preset, the objective and the
/// optimisation settings, and how many replicas share the fixed global batch.</summary>
public sealed record TrainingSpec(
    string Dataset,
    string Preset,
    string Objective,
    int Steps,
    int GlobalBatch,
    int MicroBatch,
    double LearningRate,
    ulong Seed,
    int Replicas);
