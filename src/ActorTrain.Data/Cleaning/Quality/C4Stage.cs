using System.Buffers;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>
/// C4's heuristics: keep only lines that end in terminal punctuation and have enough words, drop
/// JavaScript warnings and policy lines; drop pages with placeholder text, curly braces (code in
/// a prose page) or too few sentences left. Rewrites the text of documents it keeps.
/// </summary>
public sealed class C4Stage(C4Settings settings) : IDocumentStage
{
    private static readonly char[] TerminalPunctuation = ['.', '!', '?', '"', '\'', '”', '’'];

    public string Name => "c4";

    public StageResult Apply(Document document)
    {
        if (document.IsCode) return StageResult.Keep(document);
        string text = document.Text;
        // The text lower-cased in a pooled buffer, not a string: it has the same length, so a line's range is its
        // lower-cased form too.
        char[] lowerBuffer = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            var lower = lowerBuffer.AsSpan(0, text.Length);
            text.AsSpan().ToLowerInvariant(lower);
            if (lower.Contains("lorem ipsum", StringComparison.Ordinal)) return StageResult.Drop("contains \"lorem ipsum\"");
            if (lower.Contains('{')) return StageResult.Drop("contains '{' (code or markup in a prose page)");

            var kept = new List<(int Start, int Length)>();
            int sentences = 0;
            foreach (var (start, length) in TextRanges.Lines(text))
            {
                var line = text.AsSpan(start, length);
                if (Array.IndexOf(TerminalPunctuation, line[^1]) < 0) continue;
                if (!WordsFit(text, start, length)) continue;
                var lowerLine = lower.Slice(start, length);
                if (lowerLine.Contains("javascript", StringComparison.Ordinal)) continue;
                if (PolicyLine(lowerLine)) continue;
                sentences += line.Count('.') + line.Count('!') + line.Count('?');
                kept.Add((start, length));
            }
            if (sentences < settings.MinSentences) return StageResult.Drop($"{sentences} sentences left < {settings.MinSentences}");
            return StageResult.Keep(document.WithText(Joined(text, kept)));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(lowerBuffer);
        }
    }

    // The kept lines, one per line, written once into the new text.
    private static string Joined(string text, List<(int Start, int Length)> lines) =>
        string.Create(lines.Sum(l => l.Length) + lines.Count - 1, (text, lines), static (destination, state) =>
        {
            int at = 0;
            foreach (var (start, length) in state.lines)
            {
                if (at > 0) destination[at++] = '\n';
                state.text.AsSpan(start, length).CopyTo(destination[at..]);
                at += length;
            }
        });

    // Enough words, none too long.
    private bool WordsFit(string text, int start, int length)
    {
        int words = 0;
        foreach (var (_, wordLength) in new TextRanges.Words(text, start, start + length))
        {
            if (wordLength > settings.MaxWordLength) return false;
            words++;
        }
        return words >= settings.MinWordsPerLine;
    }

    private bool PolicyLine(ReadOnlySpan<char> lowerLine)
    {
        foreach (string phrase in settings.PolicyPhrases)
            if (lowerLine.Contains(phrase, StringComparison.Ordinal)) return true;
        return false;
    }
}
