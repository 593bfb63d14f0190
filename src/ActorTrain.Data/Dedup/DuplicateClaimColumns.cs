using System.Collections.Immutable;

namespace ActorTrain.Data.Dedup;

/// <summary>A <see cref="DuplicateClaimTable"/> in columns: each source once, and for each key the source (an index into
/// <paramref name="Sources"/>) and record of its owner.</summary>
public sealed record DuplicateClaimColumns(ImmutableArray<string> Sources, ImmutableArray<ulong> Keys, ImmutableArray<int> Source, ImmutableArray<long> Record)
{
    public static readonly DuplicateClaimColumns Empty = new([], [], [], []);
}
