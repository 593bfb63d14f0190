namespace ActorTrain.Model;

/// <summary>Linear warm-up to the peak, then cosine decay to a tenth of it at the last step (nanoGPT's get_lr).</summary>
public sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps)
{
    public double Minimum => Peak / 10;

    /// <param name="step">0-based index of the update about to be taken.</param>
    public double At(long step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        if (step >= TotalSteps) return Minimum;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return Minimum + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (Peak - Minimum);
    }
}
