using System.IO.Hashing;
using System.Runtime.InteropServices;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>Drops prose that repeats itself: boilerplate pages, spam, generated filler.</summary>
public sealed class GopherRepetitionStage(GopherRepetitionSettings settings) : IDocumentStage
{
    // The repeated n-gram rules by n, each with the lowest limit of the rules after it.
    private readonly (int N, double Limit, double LowestLimitAfter)[] duplicateRules = DuplicateRules(settings.MaxDuplicateNGramCharFraction);
    private readonly KeyValuePair<int, double>[] topRules = [.. settings.MaxTopNGramCharFraction.OrderBy(p => p.Key)];

    public string Name => "gopher-repetition";

    public StageResult Apply(Document document)
    {
        if (document.IsCode) return StageResult.Keep(document);
        string text = document.Text;
        if (text.Length == 0) return StageResult.Keep(document);

        if (Repeated(text, TextRanges.Paragraphs(text), settings.MaxDuplicateParagraphFraction,
                settings.MaxDuplicateParagraphCharFraction, "paragraphs") is { } paragraphs)
            return StageResult.Drop(paragraphs);
        if (Repeated(text, TextRanges.Lines(text), settings.MaxDuplicateLineFraction,
                settings.MaxDuplicateLineCharFraction, "lines") is { } lines)
            return StageResult.Drop(lines);

        var grams = new NGramHashes(text);
        foreach (var (n, limit) in topRules)
        {
            double fraction = TopNGramChars(grams, n) / (double)text.Length;
            if (fraction > limit) return StageResult.Drop($"top {n}-gram covers {fraction:0.###} of the characters > {limit}");
        }
        for (int rule = 0; rule < duplicateRules.Length; rule++)
        {
            var (n, limit, lowestLimitAfter) = duplicateRules[rule];
            double fraction = DuplicateNGramChars(grams, n) / (double)text.Length;
            if (fraction > limit) return StageResult.Drop($"repeated {n}-grams cover {fraction:0.###} of the characters > {limit}");
            // Words in a repeated (n+1)-gram are in repeated n-grams too, so no longer n covers more than this one:
            // when even the lowest limit still to come allows this much, every rule to come passes.
            if (fraction <= lowestLimitAfter) break;
        }
        return StageResult.Keep(document);
    }

    private static (int, double, double)[] DuplicateRules(IReadOnlyDictionary<int, double> limits)
    {
        var rules = limits.OrderBy(p => p.Key).ToArray();
        return [.. rules.Select((rule, i) => (rule.Key, rule.Value, rules.Skip(i + 1).Select(r => r.Value).DefaultIfEmpty(double.PositiveInfinity).Min()))];
    }

    // A unit counts as duplicate from its second appearance on. Units are compared by a 64-bit hash of their
    // characters, read in place, as n-grams are.
    private static string? Repeated(string text, IEnumerable<(int Start, int Length)> units, double maxFraction, double maxCharFraction, string what)
    {
        var seen = HashTablesOfThread.EmptySet(16);
        int count = 0, duplicates = 0, duplicateChars = 0;
        foreach (var (start, length) in units)
        {
            count++;
            if (seen.Add(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text.AsSpan(start, length))))) continue;
            duplicates++;
            duplicateChars += length;
        }
        if (count == 0) return null;
        double fraction = duplicates / (double)count;
        if (fraction > maxFraction) return $"duplicate {what} {fraction:0.###} > {maxFraction}";
        double charFraction = duplicateChars / (double)text.Length;
        if (charFraction > maxCharFraction) return $"characters in duplicate {what} {charFraction:0.###} > {maxCharFraction}";
        return null;
    }

    // Characters of the most frequent n-gram times its count (0 unless it occurs twice or more).
    private static long TopNGramChars(NGramHashes grams, int n)
    {
        var hashes = grams.Of(n);
        var counts = HashTablesOfThread.EmptyCounts(hashes.Length);
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
        var seen = HashTablesOfThread.EmptySet(hashes.Length);
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
