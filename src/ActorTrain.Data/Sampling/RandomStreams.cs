namespace ActorTrain.Data.Sampling;

/// <summary>The random streams of a run: one per key list (epoch, sample and purpose), from its seed and its derivation.</summary>
public readonly record struct RandomStreams(ulong Seed, StreamDerivation Derivation)
{
    /// <summary>The derivation a new run uses (one resumed keeps its own).</summary>
    public const StreamDerivation ForNewRuns = StreamDerivation.MixedKeysEpochMasks;

    /// <summary>Whether a cloze sample gets other masks in each epoch (the derivations before
    /// <see cref="StreamDerivation.MixedKeysEpochMasks"/> mask a sample alike in every epoch).</summary>
    public bool MasksChangeEachEpoch => Derivation == StreamDerivation.MixedKeysEpochMasks;

    /// <summary>The generator for the stream named by the seed followed by <paramref name="keys"/>.</summary>
    public SplitMix64 For(params ReadOnlySpan<ulong> keys)
    {
        Span<ulong> all = stackalloc ulong[keys.Length + 1];
        all[0] = Seed;
        keys.CopyTo(all[1..]);
        return Derivation switch
        {
            StreamDerivation.XoredKeys => SplitMix64.ForXoredKeys(all),
            StreamDerivation.MixedKeys or StreamDerivation.MixedKeysEpochMasks => SplitMix64.ForMixedKeys(all),
            _ => throw new ArgumentOutOfRangeException(nameof(Derivation), Derivation, "a stream derivation this build does not know (a newer build's run?)"),
        };
    }
}
