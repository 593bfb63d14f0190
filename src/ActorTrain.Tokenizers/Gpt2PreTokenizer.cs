using System.Globalization;

namespace ActorTrain.Tokenizers;

/// <summary>
/// Splits text into the pieces GPT-2's pattern
/// <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>
/// matches, as .NET's regex engine matches it (one UTF-16 code unit at a time, so a character
/// outside the BMP is "other", as Microsoft.ML.Tokenizers sees it), without running a regex.
/// Pieces tile the text: each starts where the previous ended.
/// </summary>
public static class Gpt2PreTokenizer
{
    private enum Kind : byte { Letter, Number, Space, Other }

    /// <summary>Length of the piece that starts at <paramref name="start"/>.</summary>
    public static int NextPieceLength(ReadOnlySpan<char> text, int start)
    {
        int n = text.Length;
        char c = text[start];
        if (c == '\'' && start + 1 < n)
        {
            int contraction = ContractionLength(text, start + 1);
            if (contraction > 0) return contraction + 1;
        }
        var kind = KindOf(c);
        int i = start;
        if (c == ' ' && start + 1 < n)
        {
            var next = KindOf(text[start + 1]);
            if (next != Kind.Space)
            {
                kind = next;
                i++;
            }
        }
        if (kind == Kind.Space)
        {
            int end = start + 1;
            while (end < n && KindOf(text[end]) == Kind.Space) end++;
            // \s+(?!\S): a run that ends the text is one piece; otherwise its last character is
            // left to start the next piece (which may join it with a word), unless the run is one
            // character long, which \s+ then takes alone.
            if (end == n || end - start == 1) return end - start;
            return end - 1 - start;
        }
        i++;
        while (i < n && KindOf(text[i]) == kind) i++;
        return i - start;
    }

    /// <summary>Calls <paramref name="piece"/> with (start, length) of every piece in order.</summary>
    public static void Split(ReadOnlySpan<char> text, List<Range> pieces)
    {
        for (int start = 0; start < text.Length;)
        {
            int length = NextPieceLength(text, start);
            pieces.Add(new Range(start, start + length));
            start += length;
        }
    }

    // After an apostrophe: s, t, m, d, re, ve, ll (case-sensitive, as in GPT-2).
    private static int ContractionLength(ReadOnlySpan<char> text, int i)
    {
        char a = text[i];
        if (a is 's' or 't' or 'm' or 'd') return 1;
        if (i + 1 >= text.Length) return 0;
        char b = text[i + 1];
        return (a, b) is ('r', 'e') or ('v', 'e') or ('l', 'l') ? 2 : 0;
    }

    private static Kind KindOf(char c)
    {
        if (c < 128)
        {
            if ((uint)((c | 0x20) - 'a') <= 'z' - 'a') return Kind.Letter;
            if ((uint)(c - '0') <= 9) return Kind.Number;
            return c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r' ? Kind.Space : Kind.Other;
        }
        if (char.IsWhiteSpace(c)) return Kind.Space;
        return char.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Kind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Kind.Number,
            _ => Kind.Other,
        };
    }
}
