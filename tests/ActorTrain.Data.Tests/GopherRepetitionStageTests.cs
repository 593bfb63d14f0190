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
}
