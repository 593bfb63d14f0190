using System.Text;
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
        string lower = document.Text.ToLowerInvariant();
        if (lower.Contains("lorem ipsum", StringComparison.Ordinal)) return StageResult.Drop("contains \"lorem ipsum\"");
        if (lower.Contains('{')) return StageResult.Drop("contains '{' (code or markup in a prose page)");

        // Lines and words are read in place; the lower-cased text has the same length, so a line's range is its
        // lower-cased form too.
        string text = document.Text;
        var kept = new StringBuilder(text.Length);
        int sentences = 0;
        foreach (var (start, length) in TextRanges.Lines(text))
        {
            var line = text.AsSpan(start, length);
            if (Array.IndexOf(TerminalPunctuation, line[^1]) < 0) continue;
            if (!WordsFit(text, start, length)) continue;
            var lowerLine = lower.AsSpan(start, length);
            if (lowerLine.Contains("javascript", StringComparison.Ordinal)) continue;
            if (PolicyLine(lowerLine)) continue;
            sentences += line.Count('.') + line.Count('!') + line.Count('?');
            kept.Append(line).Append('\n');
        }
        if (sentences < settings.MinSentences) return StageResult.Drop($"{sentences} sentences left < {settings.MinSentences}");
        return StageResult.Keep(document.WithText(kept.ToString().TrimEnd('\n')));
    }

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
