using System.Collections.Frozen;

namespace ActorTrain.Tokenizers;

/// <summary>
/// A byte-level BPE vocabulary: the bytes of every token, the ordered merges (a merge's rank is its
/// position) and the special tokens. Ids need not follow any order; the 256 single bytes must all be
/// tokens, so every text can be encoded.
/// </summary>
public sealed class BpeVocabulary
{
    private readonly FrozenDictionary<ulong, ulong> merges;
    private readonly int[] byteIds = new int[256];

    /// <param name="tokens">Bytes of each id; null for ids that are special tokens.</param>
    /// <param name="mergePairs">(left, right) ids in rank order; the merged token is the concatenation.</param>
    /// <param name="specials">Special token text to id.</param>
    /// <exception cref="ArgumentException">Inconsistent tables, naming the first problem.</exception>
    public BpeVocabulary(IReadOnlyList<byte[]?> tokens, IReadOnlyList<(int Left, int Right)> mergePairs, IReadOnlyDictionary<string, int> specials)
    {
        Tokens = tokens;
        MergePairs = mergePairs;
        Specials = specials.ToFrozenDictionary();
        Array.Fill(byteIds, -1);
        var idOfBytes = new Dictionary<string, int>(tokens.Count);
        for (int id = 0; id < tokens.Count; id++)
        {
            var bytes = tokens[id];
            if (bytes is null) continue;
            if (bytes.Length == 0) throw new ArgumentException($"token {id} is empty");
            if (!idOfBytes.TryAdd(Convert.ToHexString(bytes), id)) throw new ArgumentException($"tokens {idOfBytes[Convert.ToHexString(bytes)]} and {id} have the same bytes");
            if (bytes.Length == 1) byteIds[bytes[0]] = id;
        }
        int missing = Array.IndexOf(byteIds, -1);
        if (missing >= 0) throw new ArgumentException($"byte 0x{missing:X2} has no token: a byte-level vocabulary needs all 256");
        foreach (var (text, id) in specials)
        {
            if ((uint)id >= (uint)tokens.Count || tokens[id] is not null) throw new ArgumentException($"special token {text} has id {id}, which is not a free slot of the vocabulary");
        }
        var table = new Dictionary<ulong, ulong>(mergePairs.Count);
        for (int rank = 0; rank < mergePairs.Count; rank++)
        {
            var (left, right) = mergePairs[rank];
            if ((uint)left >= (uint)tokens.Count || (uint)right >= (uint)tokens.Count || tokens[left] is null || tokens[right] is null)
                throw new ArgumentException($"merge {rank} ({left}, {right}) names an id that is not a byte token");
            string merged = Convert.ToHexString([.. tokens[left]!, .. tokens[right]!]);
            if (!idOfBytes.TryGetValue(merged, out int mergedId)) throw new ArgumentException($"merge {rank} ({left}, {right}) makes a token that is not in the vocabulary");
            table.TryAdd(Pair(left, right), ((ulong)rank << 32) | (uint)mergedId);
        }
        merges = table.ToFrozenDictionary();
    }

    public IReadOnlyList<byte[]?> Tokens { get; }

    public IReadOnlyList<(int Left, int Right)> MergePairs { get; }

    public FrozenDictionary<string, int> Specials { get; }

    public int Size => Tokens.Count;

    public int IdOfByte(byte value) => byteIds[value];

    /// <summary>The rank and result of merging <paramref name="left"/> and <paramref name="right"/>, if they merge.</summary>
    public bool TryMerge(int left, int right, out int rank, out int merged)
    {
        if (merges.TryGetValue(Pair(left, right), out ulong entry))
        {
            rank = (int)(entry >> 32);
            merged = (int)(uint)entry;
            return true;
        }
        rank = merged = 0;
        return false;
    }

    /// <summary>Id of a special token, or -1.</summary>
    public int SpecialId(string text) => Specials.TryGetValue(text, out int id) ? id : -1;

    private static ulong Pair(int left, int right) => ((ulong)(uint)left << 32) | (uint)right;
}
