using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>
/// A text's word n-grams as 64-bit hashes, for one n at a time: the hash of each word is taken in place (words as
/// <see cref="TextUnits.Words"/> cuts them, without a string per word), and the n-grams of n+1 words are mixed from
/// those of n in one pass, so asking for n = 2, 3, ... 10 in turn costs a pass per n, not n passes. Hashes of
/// different n are never compared with each other; collisions at 2^-64 per pair are far below any threshold's
/// resolution.
/// </summary>
public sealed class NGramHashes
{
    private readonly ulong[] words;
    private readonly int[] charsBefore;
    private readonly ulong[] grams;
    private int n;

    public NGramHashes(string text)
    {
        int count = 0;
        foreach (var _ in TextUnits.WordsIn(text)) count++;
        words = new ulong[count];
        charsBefore = new int[count + 1];
        int i = 0;
        foreach (var (start, length) in TextUnits.WordsIn(text))
        {
            words[i] = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text.AsSpan(start, length)));
            charsBefore[i + 1] = charsBefore[i] + length;
            i++;
        }
        grams = new ulong[count];
        Reset();
    }

    /// <summary>How many words the text has.</summary>
    public int WordCount => words.Length;

    /// <summary>The hash of each n-gram, by its first word; empty when the text has fewer than n words.
    /// Valid until the next call.</summary>
    public ReadOnlySpan<ulong> Of(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (n < this.n) Reset();
        while (this.n < n && this.n < words.Length) Extend();
        return n > words.Length ? [] : grams.AsSpan(0, words.Length - n + 1);
    }

    /// <summary>Characters of words <paramref name="first"/> .. first+count-1.</summary>
    public int Chars(int first, int count) => charsBefore[first + count] - charsBefore[first];

    private void Reset()
    {
        n = 1;
        for (int i = 0; i < words.Length; i++) grams[i] = Mix(0x9E3779B97F4A7C15UL, words[i]);
    }

    private void Extend()
    {
        for (int i = 0; i + n < words.Length; i++) grams[i] = Mix(grams[i], words[i + n]);
        n++;
    }

    private static ulong Mix(ulong hash, ulong word) => (hash ^ word) * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
}
