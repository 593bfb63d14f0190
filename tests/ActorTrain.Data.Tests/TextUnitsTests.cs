using ActorTrain.Data.Cleaning;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class TextUnitsTests
{
    // Texts of up to maxLength characters drawn from pieces, the same for a seed.
    private static IEnumerable<string> RandomTexts(int seed, string pieces, int count, int maxLength)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
            yield return new([.. Enumerable.Range(0, random.Next(0, maxLength)).Select(_ => pieces[random.Next(pieces.Length)])]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("one")]
    [InlineData("  one  \r\n\ttwo\t\n\n \u00A0\u2003\n three\n")]
    [InlineData("\r\nwindows\r\nlines\r\n")]
    public void Lines_are_the_non_empty_lines_trimmed(string text) =>
        Assert.Equal(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0), TextUnits.Lines(text));

    [Fact]
    public void Lines_of_random_text_are_the_non_empty_lines_trimmed()
    {
        foreach (string text in RandomTexts(7, "ab \t\r\n\u00A0\u2003.", count: 200, maxLength: 80))
            Assert.Equal(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0), TextUnits.Lines(text));
    }

    [Fact]
    public void Paragraphs_of_random_text_are_what_splitting_at_a_newline_white_space_and_a_newline_leaves_trimmed()
    {
        foreach (string text in RandomTexts(8, "ab \t\r\n\n\u00A0\u2003\u2028.", count: 300, maxLength: 80))
            Assert.Equal(System.Text.RegularExpressions.Regex.Split(text.Trim(), @"\n\s*\n").Select(p => p.Trim()).Where(p => p.Length > 0),
                TextUnits.Paragraphs(text));
    }

    [Fact]
    public void Words_in_place_are_the_words_split_on_white_space()
    {
        foreach (string text in RandomTexts(9, "ab \t\r\n\u00A0\u2003\u2028.é", count: 200, maxLength: 60))
        {
            var inPlace = new List<string>();
            foreach (var (start, length) in TextUnits.WordsIn(text)) inPlace.Add(text.Substring(start, length));
            Assert.Equal(TextUnits.Words(text), inPlace);
        }
    }
}
