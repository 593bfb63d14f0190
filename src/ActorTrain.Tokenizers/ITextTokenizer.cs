namespace ActorTrain.Tokenizers;

/// <summary>What the data path and the trainers need of a tokenizer, whichever implements it.</summary>
public interface ITextTokenizer
{
    /// <summary>How a dataset or checkpoint refers to this tokenizer ("gpt2", "cl100k_base", or a tokenizer.json path).</summary>
    string Reference { get; }

    /// <summary>Number of ids, special tokens included.</summary>
    int VocabularySize { get; }

    int EndOfText { get; }

    int Padding { get; }

    int Mask { get; }

    /// <summary>The span-corruption sentinels, in order.</summary>
    IReadOnlyList<int> Sentinels { get; }

    /// <summary>Appends the ids of ordinary text; special token strings in it are just text.</summary>
    void Encode(ReadOnlySpan<char> text, List<int> ids);

    /// <summary>Ids of text in which special token strings ("[MASK]", "&lt;|endoftext|&gt;") stand for their tokens.</summary>
    int[] EncodeWithSpecialTokens(string text);

    /// <summary>The text of the ids; bytes that are not valid UTF-8 become U+FFFD.</summary>
    string Decode(ReadOnlySpan<int> ids);
}

public static class TextTokenizerExtensions
{
    public static int[] Encode(this ITextTokenizer tokenizer, string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        tokenizer.Encode(text, ids);
        return [.. ids];
    }
}
