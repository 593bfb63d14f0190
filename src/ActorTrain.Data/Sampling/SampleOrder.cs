namespace ActorTrain.Data.Sampling;

/// <summary>
/// The order in which an epoch visits the samples: a permutation that is a pure function of
/// (sample count, the run's random streams, epoch) — Fisher-Yates driven by <see cref="SplitMix64"/>. Position p of the
/// run, counted over all epochs, is sample <c>Order(p / count)[p % count]</c>.
/// </summary>
public sealed class SampleOrder(long sampleCount, RandomStreams streams)
{
    private int cachedEpoch = -1;
    private int[] cached = [];

    public long SampleCount { get; } = sampleCount > 0 && sampleCount <= Array.MaxLength
        ? sampleCount : throw new ArgumentOutOfRangeException(nameof(sampleCount), $"{sampleCount} samples; an epoch needs 1 to {Array.MaxLength}");

    public RandomStreams Streams { get; } = streams;

    /// <summary>The sample at run position <paramref name="position"/> (0 = first sample of epoch 0).</summary>
    public long SampleAt(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        int epoch = checked((int)(position / SampleCount));
        lock (this)
        {
            if (epoch != cachedEpoch)
            {
                cached = Permutation(SampleCount, Streams, epoch);
                cachedEpoch = epoch;
            }
            return cached[position % SampleCount];
        }
    }

    /// <summary>The visit (see <see cref="SampleVisits"/>) at run position <paramref name="position"/>: its sample, and the epoch.</summary>
    public long VisitAt(long position) => SampleVisits.Of(position / SampleCount, SampleAt(position), SampleCount);

    public static int[] Permutation(long count, RandomStreams streams, int epoch)
    {
        var order = new int[count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var random = streams.For((ulong)epoch, (ulong)count);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)random.NextBelow(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
