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

    /// <returns>Each setting in which <paramref name="asked"/> differs from this, the run's ("steps 2, asked 4"); empty when
    /// none does. The names are the metadata's, which the command line's options map onto.</returns>
    public IReadOnlyList<string> DifferencesFrom(TrainingConfig asked)
    {
        var differences = new List<string>();
        void Compare<T>(string name, T run, T other)
        {
            if (!EqualityComparer<T>.Default.Equals(run, other)) differences.Add(FormattableString.Invariant($"{name} {run}, asked {other}"));
        }
        Compare("objective", Objective, asked.Objective);
        Compare("global_batch", GlobalBatch, asked.GlobalBatch);
        Compare("micro_batch", MicroBatch, asked.MicroBatch);
        Compare("steps", Steps, asked.Steps);
        Compare("learning_rate", LearningRate, asked.LearningRate);
        Compare("warmup_steps", WarmupSteps, asked.WarmupSteps);
        Compare("weight_decay", WeightDecay, asked.WeightDecay);
        Compare("gradient_clip", GradientClip, asked.GradientClip);
        Compare("seed", Seed, asked.Seed);
        Compare("stream_derivation", StreamDerivation, asked.StreamDerivation);
        // A setting added to the record and not above: still a difference, said as the whole records.
        if (differences.Count == 0 && this != asked) differences.Add($"{this}, asked {asked}");
        return differences;
    }
}
