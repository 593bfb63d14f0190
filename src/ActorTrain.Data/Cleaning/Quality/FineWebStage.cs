using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning.Quality;

public sealed class FineWebStage(FineWebSettings settings) : IDocumentStage
{
    private static readonly char[] Punctuation = ['.', '!', '?', '"', '\'', '”', '’', ':', ';', ')'];

    public string Name => "fineweb";

    public StageResult Apply(Document document)
    {
        if (document.IsCode) return StageResult.Keep(document);
        string[] lines = TextUnits.Lines(document.Text);
        if (lines.Length == 0) return StageResult.Drop("no lines");

        double punctuated = lines.Count(l => Punctuation.Contains(l[^1])) / (double)lines.Length;
        if (punctuated <= settings.MinPunctuatedLineFraction)
            return StageResult.Drop($"lines ending in punctuation {punctuated:0.###} <= {settings.MinPunctuatedLineFraction}");
        double shortLines = lines.Count(l => l.Length <= settings.ShortLineChars) / (double)lines.Length;
        if (shortLines >= settings.MaxShortLineFraction)
            return StageResult.Drop($"short lines {shortLines:0.###} >= {settings.MaxShortLineFraction}");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        long duplicateChars = lines.Where(l => !seen.Add(l)).Sum(l => (long)l.Length);
        long totalChars = lines.Sum(l => (long)l.Length);
        double duplicateFraction = duplicateChars / (double)totalChars;
        if (duplicateFraction >= settings.MaxDuplicateLineCharFraction)
            return StageResult.Drop($"characters in repeated lines {duplicateFraction:0.###} >= {settings.MaxDuplicateLineCharFraction}");

        int words = TextUnits.Words(document.Text).Length;
        double newlines = document.Text.Count(c => c == '\n') / (double)Math.Max(words, 1);
        if (newlines > settings.MaxNewlinesPerWord)
            return StageResult.Drop($"newlines per word {newlines:0.###} > {settings.MaxNewlinesPerWord}");
        return StageResult.Keep(document);
    }
}
