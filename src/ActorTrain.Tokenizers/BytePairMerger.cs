namespace ActorTrain.Tokenizers;

/// <summary>
/// Applies a vocabulary's merges to one piece: repeatedly merges the adjacent pair of lowest rank,
/// leftmost first on a tie, until no pair merges — the rule of GPT-2, Hugging Face and
/// Microsoft.ML.Tokenizers. Short pieces (nearly all) use a scan over a few ranks on the stack;
/// long ones (runs of whitespace or symbols) a heap over a linked list, so they stay O(n log n).
/// </summary>
internal static class BytePairMerger
{
    private const int LinearLimit = 64;

    /// <summary>Merges <paramref name="symbols"/> in place; returns how many remain at the front.</summary>
    public static int Merge(BpeVocabulary vocabulary, Span<int> symbols) =>
        symbols.Length < 2 ? symbols.Length
        : symbols.Length <= LinearLimit ? MergeByScanning(vocabulary, symbols)
        : MergeWithHeap(vocabulary, symbols);

    private static int MergeByScanning(BpeVocabulary vocabulary, Span<int> symbols)
    {
        int n = symbols.Length;
        Span<int> ranks = stackalloc int[n];
        Span<int> merged = stackalloc int[n];
        for (int i = 0; i + 1 < n; i++) ranks[i] = RankOf(vocabulary, symbols[i], symbols[i + 1], out merged[i]);
        while (n > 1)
        {
            int at = -1, best = int.MaxValue;
            for (int i = 0; i + 1 < n; i++)
            {
                if (ranks[i] < best)
                {
                    best = ranks[i];
                    at = i;
                }
            }
            if (at < 0) break;
            symbols[at] = merged[at];
            symbols[(at + 2)..n].CopyTo(symbols[(at + 1)..]);
            if (at + 2 < n)
            {
                ranks[(at + 2)..(n - 1)].CopyTo(ranks[(at + 1)..]);
                merged[(at + 2)..(n - 1)].CopyTo(merged[(at + 1)..]);
            }
            n--;
            if (at + 1 < n) ranks[at] = RankOf(vocabulary, symbols[at], symbols[at + 1], out merged[at]);
            if (at > 0) ranks[at - 1] = RankOf(vocabulary, symbols[at - 1], symbols[at], out merged[at - 1]);
        }
        return n;
    }

    private static int MergeWithHeap(BpeVocabulary vocabulary, Span<int> symbols)
    {
        int n = symbols.Length;
        var next = new int[n];
        var previous = new int[n];
        for (int i = 0; i < n; i++)
        {
            next[i] = i + 1 < n ? i + 1 : -1;
            previous[i] = i - 1;
        }
        // Entries go stale when either side changes; they carry both symbols to be checked when popped.
        var heap = new PriorityQueue<(int At, int Right, int LeftSymbol, int RightSymbol, int Merged), long>();
        void Offer(int at, ReadOnlySpan<int> current)
        {
            int right = next[at];
            if (right < 0) return;
            int rank = RankOf(vocabulary, current[at], current[right], out int merged);
            if (rank != int.MaxValue) heap.Enqueue((at, right, current[at], current[right], merged), ((long)rank << 32) | (uint)at);
        }
        for (int i = 0; i + 1 < n; i++) Offer(i, symbols);
        while (heap.TryDequeue(out var entry, out _))
        {
            if (next[entry.At] != entry.Right || symbols[entry.At] != entry.LeftSymbol || symbols[entry.Right] != entry.RightSymbol) continue;
            symbols[entry.At] = entry.Merged;
            symbols[entry.Right] = -1;
            int after = next[entry.Right];
            next[entry.At] = after;
            if (after >= 0) previous[after] = entry.At;
            Offer(entry.At, symbols);
            if (previous[entry.At] >= 0) Offer(previous[entry.At], symbols);
        }
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) symbols[count++] = symbols[i];
        return count;
    }

    private static int RankOf(BpeVocabulary vocabulary, int left, int right, out int merged) =>
        vocabulary.TryMerge(left, right, out int rank, out merged) ? rank : int.MaxValue;
}
