using ActorTrain.Data.Cleaning;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class TextUnitsTests
{
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
        var random = new Random(7);
        string pieces = "ab \t\r\n\u00A0\u2003.";
        for (int trial = 0; trial < 200; trial++)
        {
            string text = new([.. Enumerable.Range(0, random.Next(0, 80)).Select(_ => pieces[random.Next(pieces.Length)])]);
            Assert.Equal(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0), TextUnits.Lines(text));
        }
    }

    [Fact]
    public void Paragraphs_of_random_text_are_what_splitting_at_a_newline_white_space_and_a_newline_leaves_trimmed()
    {
        var random = new Random(8);
        string pieces = "ab \t\r\n\n\u00A0\u2003\u2028.";
        for (int trial = 0; trial < 300; trial++)
        {
            string text = new([.. Enumerable.Range(0, random.Next(0, 80)).Select(_ => pieces[random.Next(pieces.Length)])]);
            var expected = System.Text.RegularExpressions.Regex.Split(text.Trim(), @"\n\s*\n").Select(p => p.Trim()).Where(p => p.Length > 0);
            Assert.Equal(expected, TextUnits.Paragraphs(text));
        }
    }

    [Fact]
    public void Words_in_place_are_the_words_split_on_white_space()
    {
        var random = new Random(9);
        string pieces = "ab \t\r\n\u00A0\u2003\u2028.é";
        for (int trial = 0; trial < 200; trial++)
        {
            string text = new([.. Enumerable.Range(0, random.Next(0, 60)).Select(_ => pieces[random.Next(pieces.Length)])]);
            var inPlace = new List<string>();
            foreach (var (start, length) in TextUnits.WordsIn(text)) inPlace.Add(text.Substring(start, length));
            Assert.Equal(TextUnits.Words(text), inPlace);
        }
    }
}
