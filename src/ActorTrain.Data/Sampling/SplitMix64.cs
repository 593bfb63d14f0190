namespace ActorTrain.Data.Sampling;

/// <summary>
/// A tiny seeded generator (Steele, Lea and Flood's SplitMix64) whose sequence is ours: unlike
/// System.Random it cannot change with the runtime, and the sample order and masks of a run must
/// be reproducible on any machine and release.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong state = seed;

    /// <summary>A generator for a stream derived from several keys (seed, epoch, sample...).</summary>
    public static SplitMix64 For(params ReadOnlySpan<ulong> keys)
    {
        var mix = new SplitMix64(0x9E3779B97F4A7C15);
        ulong state = 0;
        foreach (ulong key in keys)
        {
            mix.state ^= key;
            state = mix.Next();
        }
        return new SplitMix64(state);
    }

    public ulong Next()
    {
        ulong z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, bound), without modulo bias (Lemire's multiply-and-reject).</summary>
    public long NextBelow(long bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        ulong range = (ulong)bound;
        while (true)
        {
            ulong high = Math.BigMul(Next(), range, out ulong low);
            if (low >= (0UL - range) % range) return (long)high;
        }
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
