namespace ActorTrain.Data.Cleaning;

/// <summary>How the filters cut text into words, lines and paragraphs (one definition for all).</summary>
public static class TextUnits
{
    /// <summary>Whitespace-separated words, as Gopher counts them.</summary>
    public static string[] Words(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Where the words of <see cref="Words"/> are in the text, without building a string for each.</summary>
    public static TextRanges.Words WordsIn(string text) => new(text, 0, text.Length);

    /// <summary>Non-empty lines, trimmed.</summary>
    public static string[] Lines(string text) => [.. TextRanges.Lines(text).Select(line => text.Substring(line.Start, line.Length))];

    /// <summary>Paragraphs: text between blank lines, trimmed.</summary>
    public static string[] Paragraphs(string text) =>
        [.. TextRanges.Paragraphs(text).Select(paragraph => text.Substring(paragraph.Start, paragraph.Length))];

    /// <summary>A word with its surrounding punctuation removed and lower-cased, for word lists.</summary>
    public static string Bare(string word) => word.Trim(PunctuationAround).ToLowerInvariant();

    /// <summary>A word with its surrounding punctuation removed (not lower-cased), in place.</summary>
    public static ReadOnlySpan<char> Bare(ReadOnlySpan<char> word) => word.Trim(PunctuationAround);

    private static readonly char[] PunctuationAround = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»…".ToCharArray();
}
