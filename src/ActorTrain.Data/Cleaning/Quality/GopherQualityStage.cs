using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>Drops prose that fails Gopher's quality heuristics; code is left to code checks.</summary>
public sealed class GopherQualityStage(GopherQualitySettings settings) : IDocumentStage
{
    private static readonly string[] Bullets = ["•", "●", "○", "■", "□", "▪", "‣", "-", "*", "–", "—"];

    public string Name => "gopher-quality";

    public StageResult Apply(Document document)
    {
        if (document.IsCode) return StageResult.Keep(document);
        string text = document.Text;
        string[] words = TextUnits.Words(text);
        if (words.Length < settings.MinWords) return Drop($"{words.Length} words < {settings.MinWords}");
        if (words.Length > settings.MaxWords) return Drop($"{words.Length} words > {settings.MaxWords}");

        string[] bare = words.Select(TextUnits.Bare).Where(w => w.Length > 0).ToArray();
        double meanLength = bare.Length == 0 ? 0 : bare.Average(w => w.Length);
        if (meanLength < settings.MinMeanWordLength) return Drop($"mean word length {meanLength:0.##} < {settings.MinMeanWordLength}");
        if (meanLength > settings.MaxMeanWordLength) return Drop($"mean word length {meanLength:0.##} > {settings.MaxMeanWordLength}");

        double hashes = text.Count(c => c == '#') / (double)words.Length;
        if (hashes > settings.MaxHashPerWord) return Drop($"'#' per word {hashes:0.###} > {settings.MaxHashPerWord}");
        double ellipses = (Occurrences(text, "...") + text.Count(c => c == '…')) / (double)words.Length;
        if (ellipses > settings.MaxEllipsisPerWord) return Drop($"ellipses per word {ellipses:0.###} > {settings.MaxEllipsisPerWord}");

        string[] lines = TextUnits.Lines(text);
        double bulletLines = lines.Count(l => Bullets.Any(b => l.StartsWith(b, StringComparison.Ordinal))) / (double)lines.Length;
        if (bulletLines > settings.MaxBulletLineFraction) return Drop($"bullet lines {bulletLines:0.##} > {settings.MaxBulletLineFraction}");
        double ellipsisLines = lines.Count(l => l.EndsWith("...", StringComparison.Ordinal) || l.EndsWith('…')) / (double)lines.Length;
        if (ellipsisLines > settings.MaxEllipsisLineFraction) return Drop($"lines ending in an ellipsis {ellipsisLines:0.##} > {settings.MaxEllipsisLineFraction}");

        double alphabetic = words.Count(w => w.Any(char.IsLetter)) / (double)words.Length;
        if (alphabetic < settings.MinAlphabeticWordFraction) return Drop($"words with a letter {alphabetic:0.##} < {settings.MinAlphabeticWordFraction}");
        int stopWords = bare.Where(settings.StopWords.Contains).Distinct().Count();
        if (stopWords < settings.MinStopWords) return Drop($"{stopWords} distinct stop words < {settings.MinStopWords}");
        return StageResult.Keep(document);
    }

    private static StageResult Drop(string why) => StageResult.Drop(why);

    private static int Occurrences(string text, string pattern)
    {
        int count = 0;
        for (int at = text.IndexOf(pattern, StringComparison.Ordinal); at >= 0; at = text.IndexOf(pattern, at + pattern.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
