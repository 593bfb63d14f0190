namespace ActorTrain.Data.Sampling;

/// <summary>
/// A tiny seeded generator (Steele, Lea and Flood's SplitMix64) whose sequence is ours: unlike
/// System.Random it cannot change with the runtime, and the sample order and masks of a run must
/// be reproducible on any machine and release.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong state = seed;

    /// <summary>A generator for a stream derived from several keys (seed, epoch, sample...) as the first runs derived
    /// them: weakly (see <see cref="StreamDerivation.XoredKeys"/>). New streams use <see cref="ForMixedKeys"/>.</summary>
    public static SplitMix64 ForXoredKeys(params ReadOnlySpan<ulong> keys)
    {
        var mix = new SplitMix64(Golden);
        ulong state = 0;
        foreach (ulong key in keys)
        {
            mix.state ^= key;
            state = mix.Next();
        }
        return new SplitMix64(state);
    }

    /// <summary>A generator for a stream derived from several keys: each goes through the finalizer, and so does the
    /// state with it. For one prefix, different keys give different states (the finalizer is a bijection); for different
    /// prefixes, a collision needs the XOR of two unrelated 64-bit values to come out equal.</summary>
    public static SplitMix64 ForMixedKeys(params ReadOnlySpan<ulong> keys)
    {
        ulong state = Golden;
        foreach (ulong key in keys) state = Finalize(state ^ Finalize(key + Golden));
        return new SplitMix64(state);
    }

    private const ulong Golden = 0x9E3779B97F4A7C15;

    // SplitMix64's output function (Stafford's Mix13 variant): a bijection of 64-bit words that spreads every bit.
    private static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    public ulong Next()
    {
        return Finalize(state += Golden);
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
