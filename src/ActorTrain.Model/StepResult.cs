namespace ActorTrain.Model;

/// <summary>One update: its index, the mean loss over the batch's labelled tokens, the learning rate,
/// the gradient norm before clipping and the tokens the batch held.</summary>
public sealed record StepResult(long Step, double Loss, double LearningRate, double GradientNorm, long Tokens);
