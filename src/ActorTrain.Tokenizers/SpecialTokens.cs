namespace ActorTrain.Tokenizers;

/// <summary>
/// The special tokens the objectives need: end-of-text between documents, padding, the BERT-style
/// mask and the T5-style span sentinels. They are never produced from ordinary text; they are
/// recognised in text only where a caller asks (<see cref="ByteLevelBpeTokenizer.EncodeWithSpecialTokens"/>).
/// </summary>
public static class SpecialTokens
{
    public const string EndOfText = "<|endoftext|>";
    public const string Padding = "<|pad|>";
    public const string Mask = "[MASK]";

    /// <summary>How many span sentinels a vocabulary gets (T5 uses 100; span corruption at 15% noise
    /// and mean span 3 over 1024 tokens needs about 51).</summary>
    public const int DefaultSentinels = 64;

    public static string Sentinel(int index) => $"<extra_id_{index}>";

    /// <summary>End-of-text, padding, mask and <paramref name="sentinels"/> sentinels, in that order.</summary>
    public static IReadOnlyList<string> All(int sentinels = DefaultSentinels) =>
        [EndOfText, Padding, Mask, .. Enumerable.Range(0, sentinels).Select(Sentinel)];
}
