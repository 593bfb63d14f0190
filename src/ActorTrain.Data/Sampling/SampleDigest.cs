using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ActorTrain.Data.Sampling;

/// <summary>
/// A short fingerprint of the samples a replica trained on in a step: journaled with the step, so that which samples
/// were consumed can be checked against the run's sample order afterwards, not only how many. It is taken over the
/// step's visits (<see cref="SampleVisits"/>), so the epoch counts too; builds before visits digested bare sample
/// indices, which are the same numbers in epoch 0 only.
/// </summary>
public static class SampleDigest
{
    /// <returns>The first 8 bytes of the SHA-256 of the visits (little-endian longs, in order), as hex.</returns>
    public static string Of(ReadOnlySpan<long> samples)
    {
        var bytes = new byte[samples.Length * sizeof(long)];
        for (int i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), samples[i]);
        return Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));
    }
}
