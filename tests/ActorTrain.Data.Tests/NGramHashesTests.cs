using ActorTrain.Data.Cleaning.Quality;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class NGramHashesTests
{
    // Few distinct words, so that n-grams repeat; separators of every kind string.Split(null) knows.
    private static string RandomText(Random random, int words)
    {
        string[] vocabulary = ["the", "cat", "sat", "on", "a", "mat", "é", "naïve", "x", "—"];
        string[] separators = [" ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u2003", " \n\n "];
        var text = new System.Text.StringBuilder(random.Next(2) == 0 ? "" : " ");
        for (int i = 0; i < words; i++)
        {
            if (i > 0) text.Append(separators[random.Next(separators.Length)]);
            text.Append(vocabulary[random.Next(vocabulary.Length)]);
        }
        return text.ToString();
    }

    [Fact]
    public void Equal_ngrams_hash_equal_and_different_ones_differ_for_every_n_asked_in_any_order()
    {
        var random = new Random(11);
        for (int trial = 0; trial < 40; trial++)
        {
            string text = RandomText(random, random.Next(0, 60));
            string[] words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var grams = new NGramHashes(text);
            Assert.Equal(words.Length, grams.WordCount);
            foreach (int n in (int[])[2, 3, 4, 5, 10, 1, 7, 6, 64])
            {
                var hashes = grams.Of(n).ToArray();
                Assert.Equal(Math.Max(words.Length - n + 1, 0), hashes.Length);
                var byGram = new Dictionary<string, ulong>();
                for (int i = 0; i < hashes.Length; i++)
                {
                    string gram = string.Join('\u0001', words, i, n);
                    if (byGram.TryGetValue(gram, out ulong earlier)) Assert.Equal(earlier, hashes[i]);
                    else byGram[gram] = hashes[i];
                    Assert.Equal(words.Skip(i).Take(n).Sum(w => w.Length), grams.Chars(i, n));
                }
                Assert.Equal(byGram.Count, byGram.Values.Distinct().Count());
            }
        }
    }

    [Fact]
    public void An_n_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new NGramHashes("a b").Of(0).Length);
}
