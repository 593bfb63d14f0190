using ActorTrain.Data.Dedup;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class MinHashSignatureTests
{
    private readonly MinHashSignature minHash = new(new MinHashSettings());

    [Fact]
    public void Signature_has_fourteen_bands_of_eight_and_is_the_same_in_every_instance()
    {
        string text = Prose.Lines(5);
        ulong[] signature = minHash.Compute(text);
        Assert.Equal(112, signature.Length);
        Assert.Equal(signature, new MinHashSignature(new MinHashSettings()).Compute(text));
        Assert.Equal(14, minHash.BandKeys(signature).Length);
    }

    [Fact]
    public void Estimated_similarity_tracks_the_true_jaccard_of_the_shingles()
    {
        string shared = Prose.Lines(20);
        string a = shared + " " + Prose.Lines(5, 100), b = shared + " " + Prose.Lines(5, 200);
        double estimate = MinHashSignature.EstimatedJaccard(minHash.Compute(a), minHash.Compute(b));
        double exact = Jaccard(Shingles(a), Shingles(b));
        Assert.InRange(estimate, exact - 0.15, exact + 0.15);
    }

    [Fact]
    public void Near_duplicates_share_a_band_key_and_unrelated_texts_do_not()
    {
        string original = Prose.Lines(30);
        string edited = original.Replace("The", "the").Replace(".", " !") + " One more closing line of the text.";
        string unrelated = Prose.Lines(30, 500);
        var keys = minHash.BandKeys(minHash.Compute(original));
        Assert.True(keys.Intersect(minHash.BandKeys(minHash.Compute(edited))).Any());
        Assert.False(keys.Intersect(minHash.BandKeys(minHash.Compute(unrelated))).Any());
    }

    [Fact]
    public void Content_hash_is_stable_and_distinguishes_one_character()
    {
        Assert.Equal(ContentHash.Of("abc"), ContentHash.Of("abc"));
        Assert.NotEqual(ContentHash.Of("abc"), ContentHash.Of("abd"));
        Assert.Equal(32, ContentHash.Of("abc").Length); // 128 bits as hex
    }

    [Fact]
    public void The_signature_is_the_one_of_the_shingles_as_strings_whatever_the_text()
    {
        // Words hashed in buffers must give what the strings did: upper case, accents, punctuation around and inside,
        // words longer than the stack buffer, surrogate pairs and a lone surrogate.
        const string pieces = "aB É.,;!“”'-ß\u0130 \n\t\u00A0\U0001F600\uD800";
        var random = new Random(43);
        for (int t = 0; t < 300; t++)
        {
            int length = random.Next(0, 400);
            var text = new System.Text.StringBuilder();
            while (text.Length < length)
            {
                if (random.Next(40) == 0) text.Append('x', 200);
                else text.Append(pieces[random.Next(pieces.Length)]);
            }
            Assert.Equal(SignatureOfStrings(text.ToString()), minHash.Compute(text.ToString()));
        }
    }

    // The signature as it was first written: a string per bare, lower-cased word, hashed as UTF-8.
    private static ulong[] SignatureOfStrings(string text)
    {
        var settings = new MinHashSettings();
        var random = new Sampling.SplitMix64(settings.Seed);
        var (a, b) = (new ulong[settings.Hashes], new ulong[settings.Hashes]);
        for (int i = 0; i < settings.Hashes; i++) (a[i], b[i]) = (random.Next() | 1, random.Next());
        ulong[] words = [.. Cleaning.TextUnits.Words(text).Select(Cleaning.TextUnits.Bare).Where(w => w.Length > 0)
            .Select(w => System.IO.Hashing.XxHash3.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(w)))];
        var signature = Enumerable.Repeat(ulong.MaxValue, settings.Hashes).ToArray();
        int n = Math.Min(settings.ShingleWords, Math.Max(words.Length, 1));
        for (int first = 0; first + n <= words.Length; first++)
        {
            ulong h = 0x9E3779B97F4A7C15UL;
            for (int j = first; j < first + n; j++) h = (h ^ words[j]) * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
            h ^= h >> 29;
            for (int i = 0; i < settings.Hashes; i++) signature[i] = Math.Min(signature[i], (h ^ b[i]) * a[i]);
        }
        return signature;
    }

    private static HashSet<string> Shingles(string text)
    {
        var words = Cleaning.TextUnits.Words(text).Select(Cleaning.TextUnits.Bare).Where(w => w.Length > 0).ToArray();
        return Enumerable.Range(0, words.Length - 4).Select(i => string.Join(' ', words, i, 5)).ToHashSet();
    }

    private static double Jaccard(HashSet<string> a, HashSet<string> b) =>
        a.Intersect(b).Count() / (double)a.Union(b).Count();
}
