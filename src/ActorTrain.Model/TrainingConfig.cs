using System.Text.Json.Serialization;
using ActorTrain.Data.Sampling;

namespace ActorTrain.Model;

/// <summary>How one run trains (the model's shape is <see cref="ModelConfig"/>).</summary>
public sealed record TrainingConfig(
    [property: JsonPropertyName("objective")] Objective Objective,
    [property: JsonPropertyName("global_batch")] int GlobalBatch,
    [property: JsonPropertyName("micro_batch")] int MicroBatch,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("learning_rate")] double LearningRate,
    [property: JsonPropertyName("warmup_steps")] int WarmupSteps,
    [property: JsonPropertyName("weight_decay")] double WeightDecay,
    [property: JsonPropertyName("gradient_clip")] double GradientClip,
    [property: JsonPropertyName("seed")] ulong Seed,
    // Absent from the checkpoints of runs that predate it, and so the first way (the enum's default), as they derived theirs.
    [property: JsonPropertyName("stream_derivation")] StreamDerivation StreamDerivation)
{
    public static TrainingConfig Default(Objective objective, int steps) =>
        new(objective, GlobalBatch: 16, MicroBatch: 16, Steps: steps, LearningRate: 3e-3, WarmupSteps: Math.Max(1, steps / 20), WeightDecay: 0.1, GradientClip: 1.0, Seed: 1337,
            StreamDerivation: RandomStreams.ForNewRuns);

    /// <summary>The sample order's and the cloze masks' random streams.</summary>
    public RandomStreams Streams => new(Seed, StreamDerivation);

    public LearningRateSchedule Schedule => new(LearningRate, WarmupSteps, Steps);
}
