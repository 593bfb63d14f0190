using System.Buffers;
using System.Text;

namespace ActorTrain.Tokenizers;

/// <summary>
/// Our byte-level BPE encoder: GPT-2 pre-tokenization without a regex, merges on UTF-8 bytes, and a
/// per-thread cache of pieces looked up by span (no string is made for a piece seen before). Gives
/// the ids Microsoft.ML.Tokenizers gives for the same vocabulary and merges. Thread-safe.
/// </summary>
public sealed class ByteLevelBpeTokenizer : ITextTokenizer
{
    private const int CacheLimit = 1 << 17;
    private const int CachedPieceLimit = 64;
    private readonly ThreadLocal<Dictionary<string, int[]>> caches = new(() => new Dictionary<string, int[]>(4096));
    private readonly SpecialTokenMatcher specials;

    public ByteLevelBpeTokenizer(BpeVocabulary vocabulary, string reference)
    {
        Vocabulary = vocabulary;
        Reference = reference;
        specials = new SpecialTokenMatcher(vocabulary.Specials);
        EndOfText = Required(SpecialTokens.EndOfText);
        Padding = Required(SpecialTokens.Padding);
        Mask = Required(SpecialTokens.Mask);
        var sentinels = new List<int>();
        for (int i = 0; vocabulary.SpecialId(SpecialTokens.Sentinel(i)) is int id and >= 0; i++) sentinels.Add(id);
        Sentinels = sentinels;
    }

    public BpeVocabulary Vocabulary { get; }

    public string Reference { get; }

    public int VocabularySize => Vocabulary.Size;

    public int EndOfText { get; }

    public int Padding { get; }

    public int Mask { get; }

    public IReadOnlyList<int> Sentinels { get; }

    public void Encode(ReadOnlySpan<char> text, List<int> ids)
    {
        var cache = caches.Value!;
        var lookup = cache.GetAlternateLookup<ReadOnlySpan<char>>();
        for (int start = 0; start < text.Length;)
        {
            int length = Gpt2PreTokenizer.NextPieceLength(text, start);
            var piece = text.Slice(start, length);
            start += length;
            if (lookup.TryGetValue(piece, out var known))
            {
                ids.AddRange(known);
                continue;
            }
            if (length > CachedPieceLimit)
            {
                EncodePiece(piece, ids);
                continue;
            }
            int before = ids.Count;
            EncodePiece(piece, ids);
            if (cache.Count >= CacheLimit) cache.Clear();
            lookup[piece] = ids.GetRange(before, ids.Count - before).ToArray();
        }
    }

    public int[] EncodeWithSpecialTokens(string text)
    {
        var ids = new List<int>();
        int start = 0;
        while (specials.FindNext(text, start) is (int at, int length, int id))
        {
            Encode(text.AsSpan(start, at - start), ids);
            ids.Add(id);
            start = at + length;
        }
        Encode(text.AsSpan(start), ids);
        return [.. ids];
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new ArrayBufferWriter<byte>(Math.Max(16, ids.Length * 4));
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)Vocabulary.Size) throw new ArgumentOutOfRangeException(nameof(ids), $"token {id} is outside the vocabulary of {Vocabulary.Size}");
            var token = Vocabulary.Tokens[id];
            if (token is not null) bytes.Write(token);
            else bytes.Write(Encoding.UTF8.GetBytes(specials.TextOf(id)));
        }
        return Encoding.UTF8.GetString(bytes.WrittenSpan);
    }

    private void EncodePiece(ReadOnlySpan<char> piece, List<int> ids)
    {
        int maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
        byte[]? rentedBytes = maxBytes > 1024 ? ArrayPool<byte>.Shared.Rent(maxBytes) : null;
        Span<byte> bytes = rentedBytes ?? stackalloc byte[maxBytes];
        int count = Encoding.UTF8.GetBytes(piece, bytes);
        int[]? rentedSymbols = count > 256 ? ArrayPool<int>.Shared.Rent(count) : null;
        Span<int> symbols = rentedSymbols is null ? stackalloc int[count] : rentedSymbols.AsSpan(0, count);
        for (int i = 0; i < count; i++) symbols[i] = Vocabulary.IdOfByte(bytes[i]);
        int merged = BytePairMerger.Merge(Vocabulary, symbols);
        foreach (int symbol in symbols[..merged]) ids.Add(symbol);
        if (rentedBytes is not null) ArrayPool<byte>.Shared.Return(rentedBytes);
        if (rentedSymbols is not null) ArrayPool<int>.Shared.Return(rentedSymbols);
    }

    private int Required(string special) =>
        Vocabulary.SpecialId(special) is int id and >= 0 ? id : throw new InvalidDataException($"{Reference}: the vocabulary has no {special} token (training needs {SpecialTokens.EndOfText}, {SpecialTokens.Padding} and {SpecialTokens.Mask})");
}
