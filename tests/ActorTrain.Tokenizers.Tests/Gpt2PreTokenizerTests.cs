using System.Text.RegularExpressions;
using CsCheck;
using Xunit;

namespace ActorTrain.Tokenizers.Tests;

public sealed class Gpt2PreTokenizerTests
{
    private static readonly Regex Gpt2Pattern = new(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.Compiled);

    [Fact]
    public void Pieces_are_the_matches_of_the_gpt2_pattern_on_any_text()
    {
        TextGenerators.MixedText.Sample(text =>
        {
            var pieces = new List<Range>();
            Gpt2PreTokenizer.Split(text, pieces);
            var expected = Gpt2Pattern.Matches(text).Select(m => m.Value).ToArray();
            Assert.Equal(expected, pieces.Select(r => text[r]).ToArray());
        }, iter: 4000, seed: "0N0XIzNsQ0O2");
    }

    [Theory]
    [InlineData("Hello world", new[] { "Hello", " world" })]
    [InlineData("a   b", new[] { "a", "  ", " b" })]
    [InlineData("x  \n", new[] { "x", "  \n" })]
    [InlineData("I'm don't", new[] { "I", "'m", " don", "'t" })]
    [InlineData("\n\nfoo", new[] { "\n", "\n", "foo" })]
    public void Known_splits(string text, string[] expected)
    {
        var pieces = new List<Range>();
        Gpt2PreTokenizer.Split(text, pieces);
        Assert.Equal(expected, pieces.Select(r => text[r]).ToArray());
    }
}
