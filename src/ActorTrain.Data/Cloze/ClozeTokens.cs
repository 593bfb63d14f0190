namespace ActorTrain.Data.Cloze;

/// <summary>The token ids the cloze builders need. Ordinary tokens are ids below <paramref name="OrdinaryTokens"/>
/// (every vocabulary we use puts its special tokens after them); only they are masked or drawn as random replacements.</summary>
public sealed record ClozeTokens(int OrdinaryTokens, int Mask, int EndOfText, IReadOnlyList<int> Sentinels)
{
    /// <summary>Label of a position that has no loss (PyTorch's and TorchSharp's cross-entropy ignore_index default).</summary>
    public const int IgnoredLabel = -100;
}
