using ActorTrain.Data.Cleaning.Quality;
using ActorTrain.Data.Documents;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class GopherQualityStageTests
{
    private readonly GopherQualityStage stage = new(new GopherQualitySettings());

    private bool Keeps(string text) => stage.Apply(Document.Of("d", text)).IsKept;

    [Fact]
    public void Ordinary_prose_is_kept() => Assert.True(Keeps(Prose.Lines(10)));

    [Fact]
    public void Word_count_threshold_is_fifty()
    {
        string fortyEight = Prose.Sentence(1, 24) + " " + Prose.Sentence(2, 24);
        Assert.False(Keeps(fortyEight));
        Assert.True(Keeps(fortyEight + " the river"));                 // 50 words
        Assert.Contains("48 words < 50", stage.Apply(Document.Of("d", fortyEight)).DropReason);
    }

    [Fact]
    public void Hash_symbols_above_a_tenth_of_the_words_drop_the_page()
    {
        string text = Prose.Lines(5); // 60 words
        Assert.True(Keeps(text + " " + string.Join(' ', Enumerable.Repeat("#tag", 6))));   // 6 / 66 < 0.1
        Assert.False(Keeps(text + " " + string.Join(' ', Enumerable.Repeat("#tag", 8))));  // 8 / 68 > 0.1
    }

    [Fact]
    public void Bullet_pages_are_menus()
    {
        string bullets = string.Join('\n', Enumerable.Range(1, 10).Select(i => "• " + Prose.Sentence(i)));
        Assert.False(Keeps(bullets));
        Assert.True(Keeps(bullets + "\n" + Prose.Sentence(99) + "\n" + Prose.Sentence(98)));  // 10/12 bullet lines < 0.9
    }

    [Fact]
    public void Lines_ending_in_ellipses_above_thirty_percent_drop_the_page()
    {
        var lines = Enumerable.Range(1, 10).Select(i => Prose.Sentence(i)).ToList();
        for (int i = 0; i < 3; i++) lines[i] = lines[i].TrimEnd('.') + " …";
        Assert.True(Keeps(string.Join('\n', lines)));   // 3 of 10
        lines[3] = lines[3].TrimEnd('.') + " …";
        Assert.False(Keeps(string.Join('\n', lines)));  // 4 of 10
    }

    [Fact]
    public void Text_without_two_stop_words_is_not_prose()
    {
        string noStopWords = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"alpha{i}"));
        Assert.Contains("distinct stop words", stage.Apply(Document.Of("d", noStopWords)).DropReason);
    }

    [Fact]
    public void Mostly_numbers_are_not_language()
    {
        string numbers = "the of " + string.Join(' ', Enumerable.Range(1000, 60));
        Assert.Contains("words with a letter", stage.Apply(Document.Of("d", numbers)).DropReason);
    }

    [Fact]
    public void Code_is_not_judged_as_prose()
    {
        var code = Document.Of("c", "x = 1") with { Metadata = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add(Document.LanguageKey, "python") };
        Assert.True(stage.Apply(code).IsKept);
    }

    [Fact]
    public void The_rules_measure_what_counting_the_words_as_strings_measures()
    {
        var random = new Random(3);
        string[] vocabulary = ["The", "the", "of", "AND", "to", "cat", "(that)", "have,", "with.", "42", "#tag", "...", "x", "—",
            "naïve", "Über", "a-b", "“quoted”", "*", "•", "with...", "extraordinarily-long-word"];
        string[] separators = [" ", " ", " ", "\n", "\n• ", "\n- ", "\t", "\u00A0"];
        var reasons = new HashSet<string>();
        for (int trial = 0; trial < 400; trial++)
        {
            var text = new System.Text.StringBuilder();
            int words = random.Next(30, 140), kinds = random.Next(3, vocabulary.Length + 1);
            for (int i = 0; i < words; i++) text.Append(vocabulary[random.Next(kinds)]).Append(separators[random.Next(separators.Length)]);
            string? expected = CountedAsStrings(text.ToString(), new GopherQualitySettings());
            Assert.Equal(expected, stage.Apply(Document.Of("d", text.ToString())).DropReason);
            reasons.Add(expected is null ? "kept" : expected[..expected.IndexOfAny("0123456789".ToCharArray())]);
        }
        Assert.True(reasons.Count >= 4, string.Join(" | ", reasons));
    }

    // The rules on a string per word and per bare word, the first broken rule's reason; null if none is.
    private static string? CountedAsStrings(string text, GopherQualitySettings settings)
    {
        string[] words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < settings.MinWords) return $"{words.Length} words < {settings.MinWords}";
        string[] bare = words.Select(w => w.Trim("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»…".ToCharArray()).ToLowerInvariant()).Where(w => w.Length > 0).ToArray();
        double meanLength = bare.Length == 0 ? 0 : bare.Average(w => w.Length);
        if (meanLength < settings.MinMeanWordLength) return $"mean word length {meanLength:0.##} < {settings.MinMeanWordLength}";
        if (meanLength > settings.MaxMeanWordLength) return $"mean word length {meanLength:0.##} > {settings.MaxMeanWordLength}";
        double hashes = text.Count(c => c == '#') / (double)words.Length;
        if (hashes > settings.MaxHashPerWord) return $"'#' per word {hashes:0.###} > {settings.MaxHashPerWord}";
        double ellipses = (System.Text.RegularExpressions.Regex.Count(text, @"\.\.\.") + text.Count(c => c == '…')) / (double)words.Length;
        if (ellipses > settings.MaxEllipsisPerWord) return $"ellipses per word {ellipses:0.###} > {settings.MaxEllipsisPerWord}";
        string[] lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        string[] bullets = ["•", "●", "○", "■", "□", "▪", "‣", "-", "*", "–", "—"];
        double bulletLines = lines.Count(l => bullets.Any(b => l.StartsWith(b, StringComparison.Ordinal))) / (double)lines.Length;
        if (bulletLines > settings.MaxBulletLineFraction) return $"bullet lines {bulletLines:0.##} > {settings.MaxBulletLineFraction}";
        double ellipsisLines = lines.Count(l => l.EndsWith("...", StringComparison.Ordinal) || l.EndsWith('…')) / (double)lines.Length;
        if (ellipsisLines > settings.MaxEllipsisLineFraction) return $"lines ending in an ellipsis {ellipsisLines:0.##} > {settings.MaxEllipsisLineFraction}";
        double alphabetic = words.Count(w => w.Any(char.IsLetter)) / (double)words.Length;
        if (alphabetic < settings.MinAlphabeticWordFraction) return $"words with a letter {alphabetic:0.##} < {settings.MinAlphabeticWordFraction}";
        int stopWords = bare.Where(settings.StopWords.Contains).Distinct().Count();
        if (stopWords < settings.MinStopWords) return $"{stopWords} distinct stop words < {settings.MinStopWords}";
        return null;
    }
}
