namespace ActorTrain.Data.Dedup;

/// <summary>Near-duplicate detection as FineWeb does it: word 5-grams, 14 bands of 8 hashes.
/// Two documents collide in a band with probability s^8 (s = Jaccard similarity), so they are
/// found with probability 1 - (1 - s^8)^14: ~0.92 at s = 0.8, ~0.5 at s = 0.72, ~0.03 at s = 0.5.</summary>
public sealed record MinHashSettings
{
    public int ShingleWords { get; init; } = 5;
    public int Bands { get; init; } = 14;
    public int RowsPerBand { get; init; } = 8;
    /// <summary>Fixes the hash functions: signatures are comparable only under one seed.</summary>
    public ulong Seed { get; init; } = 0x5eed_a770_7a1e_0001;

    public int Hashes => Bands * RowsPerBand;
}
