using System.Text.RegularExpressions;

namespace ActorTrain.Data.Cleaning;

/// <summary>How the filters cut text into words, lines and paragraphs (one definition for all).</summary>
public static partial class TextUnits
{
    /// <summary>Whitespace-separated words, as Gopher counts them.</summary>
    public static string[] Words(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Non-empty lines, trimmed.</summary>
    public static string[] Lines(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    /// <summary>Paragraphs: text between blank lines, trimmed.</summary>
    public static string[] Paragraphs(string text) =>
        ParagraphBreak().Split(text.Trim()).Select(p => p.Trim()).Where(p => p.Length > 0).ToArray();

    /// <summary>A word with its surrounding punctuation removed and lower-cased, for word lists.</summary>
    public static string Bare(string word) => word.Trim(PunctuationAround).ToLowerInvariant();

    private static readonly char[] PunctuationAround = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»…".ToCharArray();

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex ParagraphBreak();
}
