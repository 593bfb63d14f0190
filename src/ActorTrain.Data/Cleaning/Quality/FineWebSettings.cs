namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>FineWeb's extra page rules (Penedo et al. 2024), the thresholds it found by ablation.</summary>
public sealed record FineWebSettings
{
    /// <summary>Pages whose lines end in punctuation this rarely or less are lists and menus.</summary>
    public double MinPunctuatedLineFraction { get; init; } = 0.12;
    /// <summary>Pages with this share of short lines or more are navigation.</summary>
    public double MaxShortLineFraction { get; init; } = 0.67;
    /// <summary>"Short" means at most this many characters.</summary>
    public int ShortLineChars { get; init; } = 30;
    /// <summary>Pages with this share of characters in repeated lines or more are boilerplate.</summary>
    public double MaxDuplicateLineCharFraction { get; init; } = 0.01;
    /// <summary>More newlines per word than this: one word per line.</summary>
    public double MaxNewlinesPerWord { get; init; } = 0.3;
}
