using System.Buffers;
using System.IO.Hashing;
using System.Text;
using ActorTrain.Data.Cleaning;

namespace ActorTrain.Data.Dedup;

/// <summary>
/// The MinHash signature of a document's word shingles and its LSH band keys. Each of the k hash
/// functions is h_i(x) = (x XOR b_i) * a_i mod 2^64 with a_i odd (a bijection of the 64-bit shingle
/// hash, whose high bits decide the minimum) over a 64-bit hash of the shingle (the shingle's word
/// hashes combined, so no string is built per shingle), with a_i, b_i drawn from the seed:
/// signatures are stable across processes and machines. (The textbook (a x + b) mod (2^61 - 1) took
/// a 128-bit product and a reduction per hash: about half the time of the whole signature.)
/// </summary>
public sealed class MinHashSignature
{
    private readonly MinHashSettings settings;
    private readonly ulong[] multipliers;
    private readonly ulong[] offsets;

    public MinHashSignature(MinHashSettings settings)
    {
        this.settings = settings;
        multipliers = new ulong[settings.Hashes];
        offsets = new ulong[settings.Hashes];
        ulong state = settings.Seed;
        for (int i = 0; i < settings.Hashes; i++)
        {
            multipliers[i] = SplitMix(ref state) | 1;
            offsets[i] = SplitMix(ref state);
        }
    }

    /// <summary>Bands per signature (band keys per document).</summary>
    public int Bands => settings.Bands;

    /// <summary>k minimum hash values over the text's shingles.</summary>
    public ulong[] Compute(string text)
    {
        var signature = new ulong[settings.Hashes];
        Array.Fill(signature, ulong.MaxValue);
        ulong[] a = multipliers, b = offsets;
        foreach (ulong shingle in ShingleHashes(text))
        {
            for (int i = 0; i < signature.Length; i++)
            {
                ulong value = (shingle ^ b[i]) * a[i];
                if (value < signature[i]) signature[i] = value;
            }
        }
        return signature;
    }

    /// <summary>One key per band (band index mixed in), for the LSH table: equal keys = candidates.</summary>
    public ulong[] BandKeys(ulong[] signature)
    {
        var keys = new ulong[settings.Bands];
        Span<byte> bytes = stackalloc byte[8 * (settings.RowsPerBand + 1)];
        for (int band = 0; band < settings.Bands; band++)
        {
            BitConverter.TryWriteBytes(bytes[..8], (ulong)band);
            for (int row = 0; row < settings.RowsPerBand; row++)
                BitConverter.TryWriteBytes(bytes.Slice(8 * (row + 1), 8), signature[band * settings.RowsPerBand + row]);
            keys[band] = XxHash3.HashToUInt64(bytes);
        }
        return keys;
    }

    /// <summary>The fraction of equal entries: an unbiased estimate of the Jaccard similarity.</summary>
    public static double EstimatedJaccard(ulong[] a, ulong[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"signatures of {a.Length} and {b.Length} hashes are not comparable");
        int equal = 0;
        for (int i = 0; i < a.Length; i++) if (a[i] == b[i]) equal++;
        return equal / (double)a.Length;
    }

    private IEnumerable<ulong> ShingleHashes(string text)
    {
        ulong[] words = TextUnits.Words(text).Select(TextUnits.Bare).Where(w => w.Length > 0).Select(WordHash).ToArray();
        int n = Math.Min(settings.ShingleWords, Math.Max(words.Length, 1));
        for (int i = 0; i + n <= words.Length; i++)
        {
            ulong h = 0x9E3779B97F4A7C15UL;
            for (int j = i; j < i + n; j++) h = (h ^ words[j]) * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
            yield return h ^ (h >> 29);
        }
    }

    private static ulong WordHash(string word)
    {
        int max = Encoding.UTF8.GetMaxByteCount(word.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int length = Encoding.UTF8.GetBytes(word, buffer);
            return XxHash3.HashToUInt64(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
