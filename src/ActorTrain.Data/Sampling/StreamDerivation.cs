using System.Text.Json.Serialization;

namespace ActorTrain.Data.Sampling;

/// <summary>
/// How the keys of a random stream (the run's seed, an epoch or sample, a purpose) become one generator state. A run
/// keeps the derivation it started with, in its checkpoints and its journaled spec, so it resumes bit-identically.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<StreamDerivation>))]
public enum StreamDerivation
{
    /// <summary>The first one, which runs written without a derivation have: each key is XORed into a state that only
    /// counts up between keys, so nearby seeds give the same streams shifted (seed 1337's epoch 3 is seed 1336's
    /// epoch 0). Kept for those runs; new runs do not use it. Zero, the default: a checkpoint or journaled spec
    /// written before derivations existed has no such field, and JSON leaves a missing one at its default.</summary>
    XoredKeys = 0,

    /// <summary>Each key passes through SplitMix64's finalizer together with everything before it: different key lists
    /// give unrelated streams.</summary>
    MixedKeys = 1,

    /// <summary>As <see cref="MixedKeys"/>, and a cloze sample's masked tokens (or T5 spans) are drawn again each time
    /// an epoch visits it, as RoBERTa's dynamic masking: the mask streams are keyed by the visit, not the sample. The
    /// first epoch's masks are those of <see cref="MixedKeys"/>; later ones differ.</summary>
    MixedKeysEpochMasks = 2,
}
