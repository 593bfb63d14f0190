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
}
