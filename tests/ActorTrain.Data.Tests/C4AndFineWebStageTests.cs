using ActorTrain.Data.Cleaning.Quality;
using ActorTrain.Data.Documents;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class C4StageTests
{
    private readonly C4Stage stage = new(new C4Settings());

    [Fact]
    public void Keeps_only_full_sentences_and_drops_banners()
    {
        string page = string.Join('\n',
            "Home | About | Contact",
            Prose.Sentence(1),
            "This site uses cookies to improve your experience of the page.",
            "Please enable JavaScript to view the comments of this page.",
            Prose.Sentence(2),
            "A line without terminal punctuation and enough words",
            Prose.Sentence(3));
        var result = stage.Apply(Document.Of("p", page));
        Assert.True(result.IsKept);
        Assert.Equal(string.Join('\n', Prose.Sentence(1), Prose.Sentence(2), Prose.Sentence(3)), result.Kept!.Text);
    }

    [Fact]
    public void Fewer_than_three_sentences_left_drop_the_page() =>
        Assert.Contains("2 sentences left < 3", stage.Apply(Document.Of("p", Prose.Lines(2))).DropReason);

    [Theory]
    [InlineData("Lorem ipsum dolor sit amet.", "lorem ipsum")]
    [InlineData("function f() { return 1; }", "'{'")]
    public void Placeholder_text_and_curly_braces_drop_the_page(string line, string reason) =>
        Assert.Contains(reason, stage.Apply(Document.Of("p", Prose.Lines(5) + "\n" + line)).DropReason);

    [Fact]
    public void What_it_keeps_is_what_the_rules_keep_applied_to_line_and_word_strings()
    {
        var random = new Random(4);
        string[] pieces = ["The", "cat", "sat", "on", "ÜBER", "mat.", "Uses", "cookies", "JavaScript", "Privacy Policy", "ok!", "why?", "\"quoted.\"",
            "x", new string('w', 30), "\n", "\n", "\n\n", "  \n", "\t"];
        var settings = new C4Settings { MaxWordLength = 20 };
        var strict = new C4Stage(settings);
        int kept = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            string text = string.Join(' ', Enumerable.Range(0, random.Next(5, 120)).Select(_ => pieces[random.Next(pieces.Length)]));
            var expected = KeptAsStrings(text, settings);
            var actual = strict.Apply(Document.Of("d", text));
            Assert.Equal(expected is null, actual.Kept is null);
            if (expected is not null) Assert.Equal(expected, actual.Kept!.Text);
            if (expected is not null) kept++;
        }
        Assert.InRange(kept, 20, 280);
    }

    // C4's line rules on a string per line and per word: the kept text, or null when too few sentences are left.
    private static string? KeptAsStrings(string text, C4Settings settings)
    {
        var kept = new System.Text.StringBuilder();
        int sentences = 0;
        foreach (string line in text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            string lowerLine = line.ToLowerInvariant();
            string[] words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < settings.MinWordsPerLine || !".!?\"'”’".Contains(line[^1]) || words.Any(w => w.Length > settings.MaxWordLength)) continue;
            if (lowerLine.Contains("javascript") || settings.PolicyPhrases.Any(lowerLine.Contains)) continue;
            sentences += line.Count(c => c is '.' or '!' or '?');
            kept.Append(line).Append('\n');
        }
        return sentences < settings.MinSentences ? null : kept.ToString().TrimEnd('\n');
    }
}

public sealed class FineWebStageTests
{
    private readonly FineWebStage stage = new(new FineWebSettings());

    [Fact]
    public void Prose_lines_pass() => Assert.True(stage.Apply(Document.Of("p", Prose.Lines(8))).IsKept);

    [Fact]
    public void A_list_of_short_unpunctuated_lines_is_navigation() =>
        Assert.Contains("lines ending in punctuation", stage.Apply(Document.Of("p", string.Join('\n', Enumerable.Range(1, 20).Select(i => $"Link number {i}")))).DropReason);

    [Fact]
    public void Repeated_lines_over_one_percent_of_the_characters_drop_the_page()
    {
        string text = Prose.Lines(8) + "\n" + Prose.Sentence(1);
        Assert.Contains("characters in repeated lines", stage.Apply(Document.Of("p", text)).DropReason);
    }

    [Fact]
    public void Short_lines_from_two_thirds_on_drop_the_page()
    {
        var lines = Enumerable.Range(1, 3).Select(i => Prose.Sentence(i)).ToList();
        lines.AddRange(Enumerable.Range(1, 7).Select(i => $"Short line {i}."));
        Assert.Contains("short lines 0.7 >= 0.67", stage.Apply(Document.Of("p", string.Join('\n', lines))).DropReason);
        lines.AddRange([Prose.Sentence(10), Prose.Sentence(11)]);
        Assert.True(stage.Apply(Document.Of("p", string.Join('\n', lines))).IsKept);  // 7 of 12
    }

    [Fact]
    public void What_it_drops_is_what_the_rules_drop_applied_to_line_strings()
    {
        var random = new Random(5);
        string[] pieces = ["The", "cat", "sat", "on", "the", "mat.", "ok!", "why?", "Home", "Menu", "\"quoted.\"", "\n", "\n", "\n", "  \n", "\t"];
        var settings = new FineWebSettings();
        var reasons = new HashSet<string>();
        for (int trial = 0; trial < 500; trial++)
        {
            string text = string.Join(' ', Enumerable.Range(0, random.Next(0, 80)).Select(_ => pieces[random.Next(pieces.Length)]));
            string? expected = DropReasonOfStrings(text, settings);
            Assert.Equal(expected, stage.Apply(Document.Of("d", text)).DropReason);
            reasons.Add(expected?.Split(' ')[0] ?? "kept");
        }
        Assert.True(reasons.Count >= 4, $"the texts reached only {string.Join(", ", reasons)}");
    }

    // FineWeb's rules on a string per line and per word.
    private static string? DropReasonOfStrings(string text, FineWebSettings settings)
    {
        string[] lines = [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
        if (lines.Length == 0) return "no lines";
        double punctuated = lines.Count(l => ".!?\"'”’:;)".Contains(l[^1])) / (double)lines.Length;
        if (punctuated <= settings.MinPunctuatedLineFraction) return $"lines ending in punctuation {punctuated:0.###} <= {settings.MinPunctuatedLineFraction}";
        double shortLines = lines.Count(l => l.Length <= settings.ShortLineChars) / (double)lines.Length;
        if (shortLines >= settings.MaxShortLineFraction) return $"short lines {shortLines:0.###} >= {settings.MaxShortLineFraction}";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        double duplicate = lines.Where(l => !seen.Add(l)).Sum(l => (long)l.Length) / (double)lines.Sum(l => (long)l.Length);
        if (duplicate >= settings.MaxDuplicateLineCharFraction) return $"characters in repeated lines {duplicate:0.###} >= {settings.MaxDuplicateLineCharFraction}";
        double newlines = text.Count(c => c == '\n') / (double)Math.Max(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length, 1);
        return newlines > settings.MaxNewlinesPerWord ? $"newlines per word {newlines:0.###} > {settings.MaxNewlinesPerWord}" : null;
    }
}
