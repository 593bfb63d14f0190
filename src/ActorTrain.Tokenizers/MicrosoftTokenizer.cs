using Microsoft.ML.Tokenizers;

namespace ActorTrain.Tokenizers;

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer behind our interface: used for vocabularies whose
/// pre-tokenization our encoder does not implement (cl100k_base), and as the reference our encoder
/// is checked and benchmarked against. Unlike ours, it recognises special token strings in any text.
/// </summary>
public sealed class MicrosoftTokenizer : ITextTokenizer
{
    private readonly Tokenizer tokenizer;

    internal MicrosoftTokenizer(Tokenizer tokenizer, string reference, int vocabularySize, int endOfText, IReadOnlyDictionary<string, int> extras)
    {
        this.tokenizer = tokenizer;
        Reference = reference;
        VocabularySize = vocabularySize;
        EndOfText = endOfText;
        Padding = extras[SpecialTokens.Padding];
        Mask = extras[SpecialTokens.Mask];
        Sentinels = [.. Enumerable.Range(0, SpecialTokens.DefaultSentinels).Select(i => extras[SpecialTokens.Sentinel(i)])];
    }

    public Tokenizer Inner => tokenizer;

    public string Reference { get; }

    public int VocabularySize { get; }

    public int EndOfText { get; }

    public int Padding { get; }

    public int Mask { get; }

    public IReadOnlyList<int> Sentinels { get; }

    public void Encode(ReadOnlySpan<char> text, List<int> ids) => ids.AddRange(tokenizer.EncodeToIds(text));

    public int[] EncodeWithSpecialTokens(string text) => [.. tokenizer.EncodeToIds(text)];

    public string Decode(ReadOnlySpan<int> ids) => tokenizer.Decode(ids.ToArray());
}
