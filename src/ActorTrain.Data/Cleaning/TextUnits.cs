using System.Text.RegularExpressions;

namespace ActorTrain.Data.Cleaning;

/// <summary>How the filters cut text into words, lines and paragraphs (one definition for all).</summary>
public static partial class TextUnits
{
    /// <summary>Whitespace-separated words, as Gopher counts them.</summary>
    public static string[] Words(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Where the words of <see cref="Words"/> are in the text, without building a string for each.</summary>
    public static WordRanges WordsIn(string text) => new(text);

    /// <summary>Non-empty lines, trimmed.</summary>
    public static string[] Lines(string text)
    {
        // One string per kept line, trimmed in place (splitting first, then trimming, built most lines twice).
        var lines = new List<string>();
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan(range).Trim();
            if (!line.IsEmpty) lines.Add(line.ToString());
        }
        return [.. lines];
    }

    /// <summary>Paragraphs: text between blank lines, trimmed.</summary>
    public static string[] Paragraphs(string text) =>
        ParagraphBreak().Split(text.Trim()).Select(p => p.Trim()).Where(p => p.Length > 0).ToArray();

    /// <summary>A word with its surrounding punctuation removed and lower-cased, for word lists.</summary>
    public static string Bare(string word) => word.Trim(PunctuationAround).ToLowerInvariant();

    /// <summary>A word with its surrounding punctuation removed (not lower-cased), in place.</summary>
    public static ReadOnlySpan<char> Bare(ReadOnlySpan<char> word) => word.Trim(PunctuationAround);

    private static readonly char[] PunctuationAround = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»…".ToCharArray();

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex ParagraphBreak();

    /// <summary>Enumerates (start, length) of each maximal run of non-white-space characters, as string.Split(null) cuts words.</summary>
    public struct WordRanges(string text)
    {
        private int at;

        public (int Start, int Length) Current { get; private set; }

        public readonly WordRanges GetEnumerator() => this;

        public bool MoveNext()
        {
            while (at < text.Length && char.IsWhiteSpace(text[at])) at++;
            int start = at;
            while (at < text.Length && !char.IsWhiteSpace(text[at])) at++;
            Current = (start, at - start);
            return at > start;
        }
    }
}
