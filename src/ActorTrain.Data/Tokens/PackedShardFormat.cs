namespace ActorTrain.Data.Tokens;

/// <summary>
/// The layout of a packed token shard (.tokens), little-endian:
/// <code>
///   0  8  magic "ATTOKENS"
///   8  4  version (1)
///  12  4  bytes per token: 2 (uint16, vocabularies up to 65536) or 4 (uint32)
///  16  4  vocabulary size
///  20  4  end-of-text token id
///  24  8  token count (end-of-text tokens included)
///  32  8  document count
///  40  8  XxHash3 of everything after the header (tokens, then index)
///  48 16  reserved (zero)
///  64     tokens: each document's tokens followed by end-of-text
///   ...   index: (document count + 1) uint64 token offsets; document d is [index[d], index[d+1]),
///         its end-of-text being the last token of the range
/// </code>
/// Like llm.c's .bin it can be memory-mapped and sliced; unlike it, it carries its document index
/// and a checksum, so a torn or corrupt shard is refused with the reason instead of read as tokens.
/// </summary>
public static class PackedShardFormat
{
    public const int HeaderBytes = 64;
    public const uint Version = 1;
    public static ReadOnlySpan<byte> Magic => "ATTOKENS"u8;

    /// <summary>2 when every id of the vocabulary fits in 16 bits, else 4.</summary>
    public static int BytesPerToken(int vocabularySize) => vocabularySize <= ushort.MaxValue + 1 ? 2 : 4;
}
