namespace ActorTrain.Node.Training;

/// <summary>A training run that cannot go on by itself, and why (its journal keeps it: mended, the run resumes).</summary>
public sealed class TrainingRunStuckException(string run, string problem)
    : Exception($"training run {run} cannot go on: {problem}");
