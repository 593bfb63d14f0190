using System.Text.Json.Serialization;

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
    [property: JsonPropertyName("seed")] ulong Seed)
{
    public static TrainingConfig Default(Objective objective, int steps) =>
        new(objective, GlobalBatch: 16, MicroBatch: 16, Steps: steps, LearningRate: 3e-3, WarmupSteps: Math.Max(1, steps / 20), WeightDecay: 0.1, GradientClip: 1.0, Seed: 1337);

    public LearningRateSchedule Schedule => new(LearningRate, WarmupSteps, Steps);
}
