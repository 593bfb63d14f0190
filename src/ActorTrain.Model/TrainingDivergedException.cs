namespace ActorTrain.Model;

/// <summary>
/// A single-replica run whose loss or parameters stopped being finite (a learning rate far too
/// high, say). Nothing non-finite is checkpointed: the run directory keeps its last good checkpoint.
/// </summary>
public sealed class TrainingDivergedException(long step, string what)
    : Exception($"step {step}: {what}: training diverged; no checkpoint was written from it, the newest one is the last " +
                "with finite parameters (train a new --run with a lower --lr)")
{
    public long Step { get; } = step;
}
