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
}
