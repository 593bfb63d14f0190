using System.Buffers;
using System.IO.Hashing;
using System.Text;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Sampling;

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
        var random = new SplitMix64(settings.Seed);
        for (int i = 0; i < settings.Hashes; i++)
        {
            multipliers[i] = random.Next() | 1;
            offsets[i] = random.Next();
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
        // At most one word per two characters.
        ulong[] words = ArrayPool<ulong>.Shared.Rent(text.Length / 2 + 1);
        try
        {
            int count = WordHashes(text, words);
            int n = Math.Min(settings.ShingleWords, Math.Max(count, 1));
            for (int first = 0; first + n <= count; first++)
            {
                ulong shingle = ShingleHash(words.AsSpan(first, n));
                for (int i = 0; i < signature.Length; i++)
                {
                    ulong value = (shingle ^ b[i]) * a[i];
                    if (value < signature[i]) signature[i] = value;
                }
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(words);
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

    // The hash of each word that is not all punctuation: XxHash3 of the UTF-8 bytes of the word bare and lower-cased
    // (TextUnits.Bare), built in buffers rather than as strings: 40% of the dedup keys' time went to those strings.
    private static int WordHashes(string text, ulong[] hashes)
    {
        const int Short = 128;
        Span<char> lowerBuffer = stackalloc char[Short];
        Span<byte> utf8Buffer = stackalloc byte[3 * Short];
        int count = 0;
        foreach (var (start, length) in TextUnits.WordsIn(text))
        {
            var bare = TextUnits.Bare(text.AsSpan(start, length));
            if (bare.Length == 0) continue;
            var lower = bare.Length <= Short ? lowerBuffer[..bare.Length] : new char[bare.Length];
            bare.ToLowerInvariant(lower);
            var utf8 = bare.Length <= Short ? utf8Buffer : new byte[Encoding.UTF8.GetMaxByteCount(bare.Length)];
            hashes[count++] = XxHash3.HashToUInt64(utf8[..Encoding.UTF8.GetBytes(lower, utf8)]);
        }
        return count;
    }

    private static ulong ShingleHash(ReadOnlySpan<ulong> words)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (ulong word in words) h = (h ^ word) * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
        return h ^ (h >> 29);
    }
}
