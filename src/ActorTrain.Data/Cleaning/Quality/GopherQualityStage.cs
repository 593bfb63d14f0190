using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>Drops prose that fails Gopher's quality heuristics; code is left to code checks.</summary>
public sealed class GopherQualityStage(GopherQualitySettings settings) : IDocumentStage
{
    private static readonly string[] Bullets = ["•", "●", "○", "■", "□", "▪", "‣", "-", "*", "–", "—"];

    // The stop words, looked up by the span of a lower-cased word (no string built per word).
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> stopWords =
        new HashSet<string>(settings.StopWords, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    private readonly int longestStopWord = settings.StopWords.Select(w => w.Length).DefaultIfEmpty(0).Max();

    public string Name => "gopher-quality";

    public StageResult Apply(Document document)
    {
        if (document.IsCode) return StageResult.Keep(document);
        string text = document.Text;
        var words = Measure(text);
        if (words.Count < settings.MinWords) return Drop($"{words.Count} words < {settings.MinWords}");
        if (words.Count > settings.MaxWords) return Drop($"{words.Count} words > {settings.MaxWords}");

        double meanLength = words.Bare == 0 ? 0 : words.BareChars / (double)words.Bare;
        if (meanLength < settings.MinMeanWordLength) return Drop($"mean word length {meanLength:0.##} < {settings.MinMeanWordLength}");
        if (meanLength > settings.MaxMeanWordLength) return Drop($"mean word length {meanLength:0.##} > {settings.MaxMeanWordLength}");

        double hashes = text.AsSpan().Count('#') / (double)words.Count;
        if (hashes > settings.MaxHashPerWord) return Drop($"'#' per word {hashes:0.###} > {settings.MaxHashPerWord}");
        double ellipses = (Occurrences(text, "...") + text.AsSpan().Count('…')) / (double)words.Count;
        if (ellipses > settings.MaxEllipsisPerWord) return Drop($"ellipses per word {ellipses:0.###} > {settings.MaxEllipsisPerWord}");

        string[] lines = TextUnits.Lines(text);
        double bulletLines = lines.Count(l => Bullets.Any(b => l.StartsWith(b, StringComparison.Ordinal))) / (double)lines.Length;
        if (bulletLines > settings.MaxBulletLineFraction) return Drop($"bullet lines {bulletLines:0.##} > {settings.MaxBulletLineFraction}");
        double ellipsisLines = lines.Count(l => l.EndsWith("...", StringComparison.Ordinal) || l.EndsWith('…')) / (double)lines.Length;
        if (ellipsisLines > settings.MaxEllipsisLineFraction) return Drop($"lines ending in an ellipsis {ellipsisLines:0.##} > {settings.MaxEllipsisLineFraction}");

        double alphabetic = words.Alphabetic / (double)words.Count;
        if (alphabetic < settings.MinAlphabeticWordFraction) return Drop($"words with a letter {alphabetic:0.##} < {settings.MinAlphabeticWordFraction}");
        if (words.StopWords < settings.MinStopWords) return Drop($"{words.StopWords} distinct stop words < {settings.MinStopWords}");
        return StageResult.Keep(document);
    }

    // What the word rules count, in one pass over the words in place: words, bare words (punctuation around them
    // removed, lower-cased) that are not empty and their characters, words with a letter, distinct stop words.
    private WordCounts Measure(string text)
    {
        var counts = new WordCounts();
        HashSet<string>? seenStopWords = null;
        Span<char> lower = stackalloc char[Math.Max(longestStopWord, 1)];
        foreach (var (start, length) in TextUnits.WordsIn(text))
        {
            var word = text.AsSpan(start, length);
            counts.Count++;
            if (HasLetter(word)) counts.Alphabetic++;
            var bare = TextUnits.Bare(word);
            if (bare.IsEmpty) continue;
            counts.Bare++;
            counts.BareChars += bare.Length;
            if (bare.Length > longestStopWord) continue;
            int written = bare.ToLowerInvariant(lower);
            if (stopWords.TryGetValue(lower[..written], out string? stopWord)) (seenStopWords ??= []).Add(stopWord);
        }
        counts.StopWords = seenStopWords?.Count ?? 0;
        return counts;
    }

    private static bool HasLetter(ReadOnlySpan<char> word)
    {
        foreach (char c in word) if (char.IsLetter(c)) return true;
        return false;
    }

    private struct WordCounts
    {
        public int Count, Bare, Alphabetic, StopWords;
        public long BareChars;
    }

    private static StageResult Drop(string why) => StageResult.Drop(why);

    private static int Occurrences(string text, string pattern)
    {
        int count = 0;
        for (int at = text.IndexOf(pattern, StringComparison.Ordinal); at >= 0; at = text.IndexOf(pattern, at + pattern.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
