namespace ActorTrain.Data.Sampling;

/// <summary>
/// A visit is one sample seen in one epoch, written as one number: <c>epoch * sampleCount + sample</c>. Training hands
/// visits, not bare samples, to the batch builder, so that the cloze objectives can mask a sample afresh in each epoch.
/// A sample index alone (below the count) is that sample's visit in epoch 0, which is what evaluation uses.
/// </summary>
public static class SampleVisits
{
    public static long Of(long epoch, long sample, long sampleCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if ((ulong)sample >= (ulong)sampleCount) throw new ArgumentOutOfRangeException(nameof(sample), $"sample {sample} of {sampleCount}");
        return checked(epoch * sampleCount + sample);
    }

    public static long SampleOf(long visit, long sampleCount) => Checked(visit, sampleCount) % sampleCount;

    public static long EpochOf(long visit, long sampleCount) => Checked(visit, sampleCount) / sampleCount;

    private static long Checked(long visit, long sampleCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(visit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleCount);
        return visit;
    }
}
