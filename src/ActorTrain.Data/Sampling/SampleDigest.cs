using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ActorTrain.Data.Sampling;

/// <summary>
/// A short fingerprint of the samples a replica trained on in a step: journaled with the step, so that which samples
/// were consumed can be checked against the run's sample order afterwards, not only how many. A run whose masks change
/// each epoch digests its visits (<see cref="SampleVisits"/>), so the epoch counts too; runs of the earlier
/// derivations digest bare sample indices, as the builds that journaled their first steps did.
/// </summary>
public static class SampleDigest
{
    /// <summary>The digest of what a replica trained on, <paramref name="visits"/> of a run whose order is <paramref name="order"/>.</summary>
    public static string Of(ReadOnlySpan<long> visits, SampleOrder order)
    {
        if (order.Streams.MasksChangeEachEpoch) return Of(visits);
        var samples = new long[visits.Length];
        for (int i = 0; i < visits.Length; i++) samples[i] = SampleVisits.SampleOf(visits[i], order.SampleCount);
        return Of(samples);
    }

    /// <returns>The first 8 bytes of the SHA-256 of the numbers (little-endian longs, in order), as hex.</returns>
    public static string Of(ReadOnlySpan<long> samples)
    {
        var bytes = new byte[samples.Length * sizeof(long)];
        for (int i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), samples[i]);
        return Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));
    }
}
