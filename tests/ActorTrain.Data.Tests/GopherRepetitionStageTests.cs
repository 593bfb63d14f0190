using ActorTrain.Data.Cleaning.Quality;
using ActorTrain.Data.Documents;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class GopherRepetitionStageTests
{
    private readonly GopherRepetitionStage stage = new(new GopherRepetitionSettings());

    private string? Drop(string text) => stage.Apply(Document.Of("d", text)).DropReason;

    [Fact]
    public void Unique_prose_is_kept() => Assert.Null(Drop(Prose.Lines(20)));

    [Fact]
    public void A_page_of_one_repeated_line_is_dropped() =>
        Assert.Contains("duplicate lines", Drop(string.Join('\n', Enumerable.Repeat(Prose.Sentence(1), 10)))!);

    [Fact]
    public void Duplicate_paragraph_share_above_thirty_percent_is_dropped()
    {
        var paragraphs = Enumerable.Range(1, 10).Select(i => Prose.Sentence(i, 40)).ToList();
        paragraphs[9] = paragraphs[0];
        paragraphs[8] = paragraphs[1];
        paragraphs[7] = paragraphs[2];
        string threeOfTen = string.Join("\n\n", paragraphs);
        Assert.DoesNotContain("duplicate paragraphs 0.3", Drop(threeOfTen) ?? "");
        paragraphs[6] = paragraphs[3];
        Assert.Contains("duplicate paragraphs 0.4", Drop(string.Join("\n\n", paragraphs))!);
    }

    [Fact]
    public void A_dominant_bigram_is_dropped()
    {
        // "buy now" repeated: most frequent 2-gram covering well over 20% of the characters.
        string spam = Prose.Sentence(1) + " " + string.Join(' ', Enumerable.Repeat("buy now", 30)) + " " + Prose.Sentence(2);
        Assert.Contains("2-gram", Drop(spam)!);
    }

    [Fact]
    public void Repeated_long_ngrams_are_measured_over_the_whole_text()
    {
        string sentence = Prose.Sentence(5, 20);
        string twice = Prose.Lines(3) + " " + sentence + " " + Prose.Lines(3, 10) + " " + sentence;
        Assert.Contains("-grams cover", Drop(twice)!);
    }

    [Fact]
    public void The_ngram_rules_measure_what_counting_the_ngrams_as_strings_measures()
    {
        var random = new Random(5);
        string[] vocabulary = ["spam", "eggs", "ham", "toast", "jam", "tea", "milk", "bread"];
        int dropped = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            // One line, so that only the n-gram rules can drop it; a few words, so that n-grams repeat.
            var words = Enumerable.Range(0, random.Next(20, 120)).Select(_ => vocabulary[random.Next(random.Next(2, vocabulary.Length + 1))]).ToArray();
            string text = string.Join(' ', words);
            string? expected = CountedAsStrings(words, text.Length, new GopherRepetitionSettings());
            Assert.Equal(expected, Drop(text));
            if (expected is not null) dropped++;
        }
        Assert.InRange(dropped, 20, 199);
    }

    // The rules as Gopher states them, on n-grams as strings: the first broken rule's reason, null if none is.
    private static string? CountedAsStrings(string[] words, int chars, GopherRepetitionSettings settings)
    {
        string Gram(int i, int n) => string.Join(' ', words, i, n);
        int GramChars(int i, int n) => words.Skip(i).Take(n).Sum(w => w.Length);
        foreach (var (n, limit) in settings.MaxTopNGramCharFraction.OrderBy(p => p.Key))
        {
            var top = Enumerable.Range(0, Math.Max(words.Length - n + 1, 0)).GroupBy(i => Gram(i, n))
                .Select(g => (Count: g.Count(), Chars: GramChars(g.First(), n))).DefaultIfEmpty().Max();
            double fraction = (top.Count > 1 ? (long)top.Count * top.Chars : 0) / (double)chars;
            if (fraction > limit) return $"top {n}-gram covers {fraction:0.###} of the characters > {limit}";
        }
        foreach (var (n, limit) in settings.MaxDuplicateNGramCharFraction.OrderBy(p => p.Key))
        {
            var seen = new HashSet<string>();
            var covered = new bool[words.Length];
            for (int i = 0; i + n <= words.Length; i++)
                if (!seen.Add(Gram(i, n))) for (int j = i; j < i + n; j++) covered[j] = true;
            double fraction = words.Where((_, i) => covered[i]).Sum(w => w.Length) / (double)chars;
            if (fraction > limit) return $"repeated {n}-grams cover {fraction:0.###} of the characters > {limit}";
        }
        return null;
    }
}
