namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>Gopher's repetition rules (Rae et al. 2021, table A1): maximum fractions.</summary>
public sealed record GopherRepetitionSettings
{
    public double MaxDuplicateLineFraction { get; init; } = 0.30;
    public double MaxDuplicateParagraphFraction { get; init; } = 0.30;
    public double MaxDuplicateLineCharFraction { get; init; } = 0.20;
    public double MaxDuplicateParagraphCharFraction { get; init; } = 0.20;
    /// <summary>Characters in the most frequent 2-, 3- and 4-gram, per n.</summary>
    public IReadOnlyDictionary<int, double> MaxTopNGramCharFraction { get; init; } =
        new Dictionary<int, double> { [2] = 0.20, [3] = 0.18, [4] = 0.16 };
    /// <summary>Characters in repeated 5- to 10-grams, per n.</summary>
    public IReadOnlyDictionary<int, double> MaxDuplicateNGramCharFraction { get; init; } =
        new Dictionary<int, double> { [5] = 0.15, [6] = 0.14, [7] = 0.13, [8] = 0.12, [9] = 0.11, [10] = 0.10 };
}
