using System.Runtime.InteropServices;
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

        var grams = new NGramHashes(text);
        foreach (var (n, limit) in settings.MaxTopNGramCharFraction.OrderBy(p => p.Key))
        {
            double fraction = TopNGramChars(grams, n) / (double)text.Length;
            if (fraction > limit) return StageResult.Drop($"top {n}-gram covers {fraction:0.###} of the characters > {limit}");
        }
        foreach (var (n, limit) in settings.MaxDuplicateNGramCharFraction.OrderBy(p => p.Key))
        {
            double fraction = DuplicateNGramChars(grams, n) / (double)text.Length;
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
    private static long TopNGramChars(NGramHashes grams, int n)
    {
        var hashes = grams.Of(n);
        var counts = new Dictionary<ulong, int>(hashes.Length);
        (int Count, int Chars) top = (0, 0);
        for (int i = 0; i < hashes.Length; i++)
        {
            ref int count = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, hashes[i], out _);
            count++;
            // The final (count, chars) of each n-gram is one of those seen on the way, and none seen exceeds it.
            var seen = (count, grams.Chars(i, n));
            if (seen.CompareTo(top) > 0) top = seen;
        }
        return top.Count > 1 ? (long)top.Count * top.Chars : 0;
    }

    // Characters of words inside n-grams seen before, each word counted once.
    private static long DuplicateNGramChars(NGramHashes grams, int n)
    {
        var hashes = grams.Of(n);
        var seen = new HashSet<ulong>(hashes.Length);
        long chars = 0;
        int coveredUntil = 0;
        for (int i = 0; i < hashes.Length; i++)
        {
            if (seen.Add(hashes[i])) continue;
            // Words i .. i+n-1 are covered; those before coveredUntil were counted by an earlier repeat.
            int from = Math.Max(i, coveredUntil);
            chars += grams.Chars(from, i + n - from);
            coveredUntil = i + n;
        }
        return chars;
    }
}
