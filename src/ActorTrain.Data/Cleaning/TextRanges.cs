namespace ActorTrain.Data.Cleaning;

/// <summary>
/// Where the units of <see cref="TextUnits"/> are in a text, as (start, length), found without building a string for
/// each: the filters that only count, hash or compare units read them in place.
/// </summary>
public static class TextRanges
{
    /// <summary>Non-empty lines, trimmed: the lines of <see cref="TextUnits.Lines"/>.</summary>
    public static IEnumerable<(int Start, int Length)> Lines(string text)
    {
        foreach (var (start, end) in RawLines(text))
        {
            var line = Trimmed(text, start, end);
            if (line.Length > 0) yield return line;
        }
    }

    /// <summary>Paragraphs, trimmed: runs of lines between lines that are blank or white space only (where the text
    /// has a newline, white space, and another newline).</summary>
    public static IEnumerable<(int Start, int Length)> Paragraphs(string text)
    {
        int first = -1, last = -1;
        foreach (var (start, end) in RawLines(text))
        {
            if (!text.AsSpan(start, end - start).IsWhiteSpace())
            {
                if (first < 0) first = start;
                last = end;
                continue;
            }
            if (first < 0) continue;
            yield return Trimmed(text, first, last);
            first = -1;
        }
        if (first >= 0) yield return Trimmed(text, first, last);
    }

    // Each line between newlines, as [start, end), untrimmed; one (empty) after a final newline.
    private static IEnumerable<(int Start, int End)> RawLines(string text)
    {
        for (int start = 0; ;)
        {
            int newline = text.IndexOf('\n', start);
            if (newline < 0)
            {
                yield return (start, text.Length);
                yield break;
            }
            yield return (start, newline);
            start = newline + 1;
        }
    }

    private static (int Start, int Length) Trimmed(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        return (start, end - start);
    }

    /// <summary>Each maximal run of non-white-space characters in [start, end), as string.Split(null) cuts words.</summary>
    public struct Words(string text, int start, int end)
    {
        private int at = start;

        public (int Start, int Length) Current { get; private set; }

        public readonly Words GetEnumerator() => this;

        public bool MoveNext()
        {
            while (at < end && char.IsWhiteSpace(text[at])) at++;
            int wordStart = at;
            while (at < end && !char.IsWhiteSpace(text[at])) at++;
            Current = (wordStart, at - wordStart);
            return at > wordStart;
        }
    }
}
