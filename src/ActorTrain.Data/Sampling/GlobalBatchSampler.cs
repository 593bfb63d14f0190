namespace ActorTrain.Data.Sampling;

/// <summary>
/// Which samples each replica trains on at a step. Step k covers run positions
/// [consumed, consumed + GlobalBatch) of the <see cref="SampleOrder"/>, where consumed is the only
/// state; replica r of w takes the contiguous slice [r·G/w, (r+1)·G/w) of it. The global batch is
/// therefore the same whatever the world size, and a run resumed from (consumed) alone, with any
/// number of replicas, continues exactly where it stopped.
/// </summary>
public sealed class GlobalBatchSampler(SampleOrder order, int globalBatch)
{
    public int GlobalBatch { get; } = globalBatch >= 1 ? globalBatch : throw new ArgumentOutOfRangeException(nameof(globalBatch), $"global batch {globalBatch} (must be at least 1)");

    public SampleOrder Order { get; } = order;

    /// <summary>Positions [Start, End) of the global batch that replica <paramref name="rank"/> of <paramref name="worldSize"/> takes.</summary>
    public (int Start, int End) Slice(int rank, int worldSize)
    {
        if (worldSize < 1 || worldSize > GlobalBatch) throw new ArgumentOutOfRangeException(nameof(worldSize), $"{worldSize} replicas for a global batch of {GlobalBatch}");
        if ((uint)rank >= (uint)worldSize) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} of {worldSize}");
        return ((int)((long)rank * GlobalBatch / worldSize), (int)((long)(rank + 1) * GlobalBatch / worldSize));
    }

    /// <summary>The samples replica <paramref name="rank"/> of <paramref name="worldSize"/> trains on at the step that
    /// starts at <paramref name="consumedSamples"/>, as visits (<see cref="SampleVisits"/>: each sample with its epoch).</summary>
    public long[] VisitsFor(long consumedSamples, int rank, int worldSize)
    {
        var (start, end) = Slice(rank, worldSize);
        var visits = new long[end - start];
        for (int i = 0; i < visits.Length; i++) visits[i] = Order.VisitAt(consumedSamples + start + i);
        return visits;
    }

    /// <summary>The epoch the step starting at <paramref name="consumedSamples"/> begins in.</summary>
    public long EpochOf(long consumedSamples) => consumedSamples / Order.SampleCount;
}
