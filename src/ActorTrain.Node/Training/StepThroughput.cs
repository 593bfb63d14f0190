using ActorTrain.Model;
using ActorTrain.Protocol.Training;

namespace ActorTrain.Node.Training;

/// <summary>Tokens per second of a committed step as operators see it: the global batch's sequences times the
/// preset's context, over the step's seconds (the journal keeps seconds, not tokens).</summary>
public static class StepThroughput
{
    public static double TokensPerSecond(TrainingSpec spec, CommittedStep step) =>
        spec.GlobalBatch * (double)ModelConfig.Preset(spec.Preset, 2).Context / Math.Max(1e-9, step.Seconds);
}
