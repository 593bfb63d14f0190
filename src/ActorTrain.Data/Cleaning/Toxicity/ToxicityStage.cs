using System.Text.RegularExpressions;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning.Toxicity;

/// <summary>Counts word-list matches on word boundaries (so "classic" never matches "ass"), case
/// insensitive, and drops or flags documents over the threshold.</summary>
public sealed class ToxicityStage : IDocumentStage
{
    public const string MatchesKey = "toxicity-matches";
    private readonly ToxicitySettings settings;
    private readonly Regex? terms;

    public ToxicityStage(ToxicitySettings settings)
    {
        this.settings = settings;
        var words = settings.WordListFiles.SelectMany(ReadList).Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(w => w.Length).ToArray(); // longest first: phrases win over their words
        if (words.Length > 0)
        {
            terms = new Regex($@"(?<![\w]){string.Join('|', words.Select(Regex.Escape))}(?![\w])",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
    }

    public string Name => "toxicity";

    public StageResult Apply(Document document)
    {
        if (terms is null) return StageResult.Keep(document);
        int matches = terms.Count(document.Text);
        if (matches <= settings.MaxMatches) return StageResult.Keep(document);
        return settings.Action == ToxicityAction.Drop
            ? StageResult.Drop($"{matches} word-list matches > {settings.MaxMatches}")
            : StageResult.Keep(document with { Metadata = document.Metadata.SetItem(MatchesKey, matches.ToString()) });
    }

    private static IEnumerable<string> ReadList(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"toxicity word list {path} does not exist", path);
        return File.ReadLines(path)
            .Select(line => (line.IndexOf('#') is var hash and >= 0 ? line[..hash] : line).Trim())
            .Where(word => word.Length > 0);
    }
}
