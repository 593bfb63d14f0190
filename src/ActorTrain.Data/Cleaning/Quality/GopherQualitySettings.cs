namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>Gopher's quality rules (Rae et al. 2021, appendix A; datatrove's defaults).</summary>
public sealed record GopherQualitySettings
{
    /// <summary>Fewer words is a fragment, not a document.</summary>
    public int MinWords { get; init; } = 50;
    /// <summary>More words is usually a dump (logs, tables), not prose.</summary>
    public int MaxWords { get; init; } = 100_000;
    /// <summary>Shorter mean word length: lists of symbols, codes, initials.</summary>
    public double MinMeanWordLength { get; init; } = 3;
    /// <summary>Longer mean word length: URLs, hashes, run-together text.</summary>
    public double MaxMeanWordLength { get; init; } = 10;
    /// <summary>'#' per word above this: hashtag spam.</summary>
    public double MaxHashPerWord { get; init; } = 0.1;
    /// <summary>Ellipses per word above this: truncated snippets.</summary>
    public double MaxEllipsisPerWord { get; init; } = 0.1;
    /// <summary>More lines starting with a bullet: navigation menus, link lists.</summary>
    public double MaxBulletLineFraction { get; init; } = 0.9;
    /// <summary>More lines ending with an ellipsis: teaser listings.</summary>
    public double MaxEllipsisLineFraction { get; init; } = 0.3;
    /// <summary>Fewer words containing a letter: numbers and symbols, not language.</summary>
    public double MinAlphabeticWordFraction { get; init; } = 0.8;
    /// <summary>Natural English uses some of these; fewer than this many distinct ones is not prose.</summary>
    public int MinStopWords { get; init; } = 2;
    public IReadOnlySet<string> StopWords { get; init; } = new HashSet<string> { "the", "be", "to", "of", "and", "that", "have", "with" };
}
