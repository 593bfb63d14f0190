using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning.Code;

/// <summary>Drops source files that are minified, generated or mostly data; prose passes untouched.</summary>
public sealed class CodeQualityStage(CodeQualitySettings settings) : IDocumentStage
{
    private const int HeaderLines = 5;

    public string Name => "code-quality";

    public StageResult Apply(Document document)
    {
        if (!document.IsCode) return StageResult.Keep(document);
        string[] lines = document.Text.Split('\n');
        int longest = lines.Max(l => l.Length);
        if (longest > settings.MaxLineLength) return StageResult.Drop($"a line of {longest} characters > {settings.MaxLineLength}");
        double mean = lines.Average(l => l.Length);
        if (mean > settings.MaxMeanLineLength) return StageResult.Drop($"mean line length {mean:0.#} > {settings.MaxMeanLineLength}");
        double alphanumeric = document.Text.Count(char.IsLetterOrDigit) / (double)Math.Max(document.Text.Length, 1);
        if (alphanumeric < settings.MinAlphanumericFraction) return StageResult.Drop($"alphanumeric fraction {alphanumeric:0.###} < {settings.MinAlphanumericFraction}");
        string header = string.Join('\n', lines.Take(HeaderLines)).ToLowerInvariant();
        string? marker = settings.GeneratedMarkers.FirstOrDefault(m => header.Contains(m, StringComparison.Ordinal));
        return marker is null ? StageResult.Keep(document) : StageResult.Drop($"generated file (\"{marker}\" in its first lines)");
    }
}
