using CsCheck;

namespace ActorTrain.Tokenizers.Tests;

/// <summary>Text that exercises every branch of GPT-2 pre-tokenization and byte-level BPE: English,
/// contractions, digits, whitespace runs, emoji and other characters outside the BMP, combining
/// marks, several scripts, symbols, control characters — mixed at random, and random code units. Text is valid UTF-16, as
/// all text read by the data path is (decoding replaces what is not UTF-8): Microsoft.ML.Tokenizers
/// turns an unpaired surrogate into bytes that are not UTF-8, we into U+FFFD's.</summary>
internal static class TextGenerators
{
    private static readonly string[] Fragments =
    [
        "Hello", " world", "the", " the", "The", " quick brown fox", "tokenizer", " tokenization", "ing", "er",
        "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "don't", "I'm", "'", "''",
        "0", "7", "42", "1234567890", " 2026", "3.14159", "1,000,000", "٣٤٥", "½", "Ⅻ", "²",
        " ", "  ", "    ", "\t", "\n", "\n\n", "\r\n", " \n ", "\u00A0", "\u2003", "\u3000", "\u0085", "\v\f",
        "😀", "👩‍👩‍👧", "🎉🎉", "𝐀𝐁𝐂", "𠀀", "é", "e\u0301", "ñ", "Straße", "Ωμέγα", "Привет", " мир", "日本語", "中文字符",
        "한국어", "مرحبا", "שלום", "हिन्दी", "ไทย",
        ".", "...", "!!!", "?", "$", "€", "_", "-", "—", "()", "{}", "=>", "//", "#include", "<div>", "a_b", "x+=1;",
        "\0", "\u0001", "\uFFFD",
    ];

    public static readonly Gen<string> MixedText =
        Gen.OneOf(Gen.OneOf(Fragments), Gen.String[0, 6]).Array[0, 48].Select(parts => Valid(string.Concat(parts)));

    private static string Valid(string text) => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>A corpus of sentences built from the fragments, for training small vocabularies.</summary>
    public static IEnumerable<string> Corpus(int documents, int seed)
    {
        var random = new Random(seed);
        for (int d = 0; d < documents; d++)
        {
            var parts = new string[random.Next(5, 60)];
            for (int i = 0; i < parts.Length; i++) parts[i] = Fragments[random.Next(Fragments.Length)];
            yield return string.Concat(parts);
        }
    }
}
