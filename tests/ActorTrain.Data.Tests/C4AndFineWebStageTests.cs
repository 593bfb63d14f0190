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
}
