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

        var kept = new StringBuilder(document.Text.Length);
        int sentences = 0;
        foreach (string line in TextUnits.Lines(document.Text))
        {
            string lowerLine = line.ToLowerInvariant();
            string[] words = TextUnits.Words(line);
            if (words.Length < settings.MinWordsPerLine) continue;
            if (line.IndexOfAny(TerminalPunctuation, line.Length - 1) < 0) continue;
            if (words.Any(w => w.Length > settings.MaxWordLength)) continue;
            if (lowerLine.Contains("javascript", StringComparison.Ordinal)) continue;
            if (settings.PolicyPhrases.Any(p => lowerLine.Contains(p, StringComparison.Ordinal))) continue;
            sentences += line.Count(c => c is '.' or '!' or '?');
            kept.Append(line).Append('\n');
        }
        if (sentences < settings.MinSentences) return StageResult.Drop($"{sentences} sentences left < {settings.MinSentences}");
        return StageResult.Keep(document.WithText(kept.ToString().TrimEnd('\n')));
    }
}
