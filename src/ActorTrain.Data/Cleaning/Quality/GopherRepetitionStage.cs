using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>Drops prose that repeats itself: boilerplate pages, spam, generated filler.</summary>
public sealed class GopherRepetitionStage(GopherRepetitionSettings settings) : IDocumentStage
{
    public string Name => "gopher-repetition";

    public StageResult Apply(Document document)
    {
        if (document.IsCode) return StageResult.Keep(document);
        string text = document.Text;
        if (text.Length == 0) return StageResult.Keep(document);

        if (Repeated(TextUnits.Paragraphs(text), text.Length, settings.MaxDuplicateParagraphFraction,
                settings.MaxDuplicateParagraphCharFraction, "paragraphs") is { } paragraphs)
            return StageResult.Drop(paragraphs);
        if (Repeated(TextUnits.Lines(text), text.Length, settings.MaxDuplicateLineFraction,
                settings.MaxDuplicateLineCharFraction, "lines") is { } lines)
            return StageResult.Drop(lines);

        string[] words = TextUnits.Words(text);
        foreach (var (n, limit) in settings.MaxTopNGramCharFraction.OrderBy(p => p.Key))
        {
            double fraction = TopNGramChars(words, n) / (double)text.Length;
            if (fraction > limit) return StageResult.Drop($"top {n}-gram covers {fraction:0.###} of the characters > {limit}");
        }
        foreach (var (n, limit) in settings.MaxDuplicateNGramCharFraction.OrderBy(p => p.Key))
        {
            double fraction = DuplicateNGramChars(words, n) / (double)text.Length;
            if (fraction > limit) return StageResult.Drop($"repeated {n}-grams cover {fraction:0.###} of the characters > {limit}");
        }
        return StageResult.Keep(document);
    }

    // A unit counts as duplicate from its second appearance on.
    private static string? Repeated(string[] units, int totalChars, double maxFraction, double maxCharFraction, string what)
    {
        if (units.Length == 0) return null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int duplicates = 0, duplicateChars = 0;
        foreach (string unit in units)
        {
            if (seen.Add(unit)) continue;
            duplicates++;
            duplicateChars += unit.Length;
        }
        double fraction = duplicates / (double)units.Length;
        if (fraction > maxFraction) return $"duplicate {what} {fraction:0.###} > {maxFraction}";
        double charFraction = duplicateChars / (double)totalChars;
        if (charFraction > maxCharFraction) return $"characters in duplicate {what} {charFraction:0.###} > {maxCharFraction}";
        return null;
    }

    // Characters of the most frequent n-gram times its count (0 unless it occurs twice or more).
    private static long TopNGramChars(string[] words, int n)
    {
        if (words.Length < n) return 0;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= words.Length; i++)
        {
            string gram = string.Join(' ', words, i, n);
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        var (top, count) = counts.MaxBy(p => (p.Value, p.Key.Length));
        return count > 1 ? (long)count * top.Replace(" ", "").Length : 0;
    }

    // Characters of words inside n-grams seen before, each word counted once.
    private static long DuplicateNGramChars(string[] words, int n)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var covered = new bool[words.Length];
        for (int i = 0; i + n <= words.Length; i++)
        {
            if (seen.Add(string.Join(' ', words, i, n))) continue;
            for (int j = i; j < i + n; j++) covered[j] = true;
        }
        long chars = 0;
        for (int i = 0; i < words.Length; i++) if (covered[i]) chars += words[i].Length;
        return chars;
    }
}
