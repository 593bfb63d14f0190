using CsCheck;
using Microsoft.ML.Tokenizers;
using Xunit;

namespace ActorTrain.Tokenizers.Tests;

/// <summary>Our encoder on GPT-2's vocabulary against Microsoft.ML.Tokenizers' tiktoken encoder.</summary>
public sealed class Gpt2EncoderParityTests
{
    private static readonly TiktokenTokenizer Microsoft = TiktokenTokenizer.CreateForModel("gpt2");
    private static readonly ByteLevelBpeTokenizer Ours = PretrainedTokenizers.OurGpt2();

    [Fact]
    public void Same_ids_as_microsoft_on_random_text()
    {
        TextGenerators.MixedText.Sample(text =>
        {
            Assert.True(Microsoft.EncodeToIds(text).SequenceEqual(Ours.Encode(text)), $"ids differ on \"{Escaped(text)}\"");
        }, iter: 3000, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Same_ids_as_microsoft_on_real_text_and_long_runs()
    {
        var texts = new List<string>
        {
            new string(' ', 5000), new string('\n', 300) + "x", string.Concat(Enumerable.Repeat("9", 700)), string.Concat(Enumerable.Repeat("=-", 400)),
            string.Concat(Enumerable.Repeat("😀", 200)), "tab\t\t\t\tseparated\t \t values  \n\n\n  end  ",
        };
        foreach (string file in RepositoryTextFiles()) texts.Add(File.ReadAllText(file));
        foreach (string text in texts) Assert.Equal(Microsoft.EncodeToIds(text), Ours.Encode(text));
    }

    [Fact]
    public void Decoding_gives_back_the_text()
    {
        TextGenerators.MixedText.Sample(text =>
        {
            Assert.Equal(text, Ours.Decode(Ours.Encode(text)));
        }, iter: 1000, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Special_tokens_are_text_unless_asked_for()
    {
        string text = "before<|endoftext|>after [MASK] <extra_id_3>";
        Assert.DoesNotContain(Ours.EndOfText, Ours.Encode(text));
        var ids = Ours.EncodeWithSpecialTokens(text);
        Assert.Equal(50256, Ours.EndOfText);
        Assert.Contains(Ours.EndOfText, ids);
        Assert.Contains(Ours.Mask, ids);
        Assert.Contains(Ours.Sentinels[3], ids);
        Assert.Equal(text, Ours.Decode(ids));
    }

    private static string Escaped(string text) => string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}"));

    // Source and docs of this repository: real prose and real code, present in every checkout.
    internal static IEnumerable<string> RepositoryTextFiles()
    {
        string root = ActorTrain.Testing.RepositoryPaths.Root;
        return new[] { "README.md", "native/src/attention/kernels.inl", "src/ActorTrain.Tokenizers/BpeTrainer.cs", "hocon/actortrain.conf" }
            .Select(p => Path.Combine(root, p)); // one moved away fails its reader by name, rather than shrinking the test
    }
}

public sealed class PretrainedTokenizerTests
{
    [Fact]
    public void Cl100k_base_comes_from_microsoft_with_our_special_tokens_after_its_own()
    {
        var tokenizer = TokenizerCatalog.Load(PretrainedTokenizers.Cl100kBase);
        Assert.Equal(100257, tokenizer.EndOfText);
        Assert.True(tokenizer.Padding > 100257 && tokenizer.Mask > tokenizer.Padding);
        Assert.Equal(SpecialTokens.DefaultSentinels, tokenizer.Sentinels.Count);
        Assert.Equal(tokenizer.Sentinels[^1] + 1, tokenizer.VocabularySize);
        string text = "Tokenizers turn text into ids: 12345, ünïcödé, 日本語 😀";
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        Assert.Contains(tokenizer.Mask, tokenizer.EncodeWithSpecialTokens("a [MASK] b"));
    }

    [Fact]
    public void An_unknown_reference_is_refused_with_the_choices()
    {
        var error = Assert.Throws<InvalidDataException>(() => TokenizerCatalog.Load("gpt5"));
        Assert.Contains("neither gpt2, cl100k_base nor an existing tokenizer.json", error.Message);
    }
}
