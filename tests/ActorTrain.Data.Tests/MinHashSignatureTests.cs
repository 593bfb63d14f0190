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

    private static HashSet<string> Shingles(string text)
    {
        var words = Cleaning.TextUnits.Words(text).Select(Cleaning.TextUnits.Bare).Where(w => w.Length > 0).ToArray();
        return Enumerable.Range(0, words.Length - 4).Select(i => string.Join(' ', words, i, 5)).ToHashSet();
    }

    private static double Jaccard(HashSet<string> a, HashSet<string> b) =>
        a.Intersect(b).Count() / (double)a.Union(b).Count();
}
