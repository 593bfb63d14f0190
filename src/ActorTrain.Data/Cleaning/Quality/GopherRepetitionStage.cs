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

        var words = WordHashes(TextUnits.Words(text));
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

    // N-grams are compared by a 64-bit hash of their words' hashes (no strings built): one pass per n,
    // collisions at 2^-64 per pair are far below any threshold's resolution.
    private static (ulong[] Hashes, int[] Lengths) WordHashes(string[] words)
    {
        var hashes = new ulong[words.Length];
        var lengths = new int[words.Length];
        for (int i = 0; i < words.Length; i++)
        {
            hashes[i] = System.IO.Hashing.XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(words[i].AsSpan()));
            lengths[i] = words[i].Length;
        }
        return (hashes, lengths);
    }

    private static ulong NGramHash(ulong[] hashes, int start, int n)
    {
        ulong h = 0x9E3779B97F4A7C15UL * (ulong)n;
        for (int i = start; i < start + n; i++) h = (h ^ hashes[i]) * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
        return h;
    }

    // Characters of the most frequent n-gram times its count (0 unless it occurs twice or more).
    private static long TopNGramChars((ulong[] Hashes, int[] Lengths) words, int n)
    {
        if (words.Hashes.Length < n) return 0;
        var counts = new Dictionary<ulong, (int Count, int Chars)>();
        for (int i = 0; i + n <= words.Hashes.Length; i++)
        {
            ulong gram = NGramHash(words.Hashes, i, n);
            var (count, chars) = counts.GetValueOrDefault(gram);
            if (count == 0) for (int j = i; j < i + n; j++) chars += words.Lengths[j];
            counts[gram] = (count + 1, chars);
        }
        var top = counts.Values.MaxBy(v => (v.Count, v.Chars));
        return top.Count > 1 ? (long)top.Count * top.Chars : 0;
    }

    // Characters of words inside n-grams seen before, each word counted once.
    private static long DuplicateNGramChars((ulong[] Hashes, int[] Lengths) words, int n)
    {
        var seen = new HashSet<ulong>();
        var covered = new bool[words.Hashes.Length];
        for (int i = 0; i + n <= words.Hashes.Length; i++)
        {
            if (seen.Add(NGramHash(words.Hashes, i, n))) continue;
            for (int j = i; j < i + n; j++) covered[j] = true;
        }
        long chars = 0;
        for (int i = 0; i < covered.Length; i++) if (covered[i]) chars += words.Lengths[i];
        return chars;
    }
}
