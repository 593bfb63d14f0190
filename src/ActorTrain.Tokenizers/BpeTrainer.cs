using System.Collections.Concurrent;

namespace ActorTrain.Tokenizers;

/// <summary>
/// Learns a byte-level BPE vocabulary from text. Words (GPT-2 pieces) are counted in parallel; then
/// each merge takes the most frequent pair from a priority queue (ties to the smaller ids, so the
/// result does not depend on thread timing), and only the words that contain it — found through an
/// inverted index from pair to words — are rewritten and their pair counts adjusted. Ids: the 256
/// bytes (id = byte value), then the merges in order, then the special tokens.
/// </summary>
public static class BpeTrainer
{
    /// <param name="vocabularySize">Ids wanted, special tokens included; fewer when the text runs out of pairs seen twice.</param>
    public static BpeVocabulary Train(IEnumerable<string> texts, int vocabularySize, int sentinels = SpecialTokens.DefaultSentinels, int minPairCount = 2)
    {
        var specialNames = SpecialTokens.All(sentinels);
        int mergesWanted = vocabularySize - 256 - specialNames.Count;
        if (mergesWanted < 0) throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"a vocabulary of {vocabularySize} cannot hold the 256 bytes and {specialNames.Count} special tokens");
        var (words, counts) = CountWords(texts);
        var tokens = new List<byte[]?>(vocabularySize);
        for (int b = 0; b < 256; b++) tokens.Add([(byte)b]);
        var merges = Learn(words, counts, mergesWanted, minPairCount, tokens);
        var specials = new Dictionary<string, int>();
        foreach (string name in specialNames)
        {
            specials[name] = tokens.Count;
            tokens.Add(null);
        }
        return new BpeVocabulary(tokens, merges, specials);
    }

    private static (int[][] Words, long[] Counts) CountWords(IEnumerable<string> texts)
    {
        var totals = new ConcurrentBag<Dictionary<string, long>>();
        Parallel.ForEach(texts, () => new Dictionary<string, long>(), (text, loop, local) =>
        {
            var lookup = local.GetAlternateLookup<ReadOnlySpan<char>>();
            var span = text.AsSpan();
            for (int start = 0; start < span.Length;)
            {
                int length = Gpt2PreTokenizer.NextPieceLength(span, start);
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(lookup, span.Slice(start, length), out _)++;
                start += length;
            }
            return local;
        }, totals.Add);
        var merged = new Dictionary<string, long>();
        foreach (var local in totals)
            foreach (var (word, count) in local) merged[word] = merged.GetValueOrDefault(word) + count;
        var words = new int[merged.Count][];
        var counts = new long[merged.Count];
        int i = 0;
        foreach (var (word, count) in merged)
        {
            words[i] = [.. System.Text.Encoding.UTF8.GetBytes(word).Select(b => (int)b)];
            counts[i++] = count;
        }
        return (words, counts);
    }

    private static List<(int, int)> Learn(int[][] words, long[] counts, int mergesWanted, int minPairCount, List<byte[]?> tokens)
    {
        var lengths = words.Select(w => w.Length).ToArray();
        var pairCounts = new Dictionary<ulong, long>();
        var wordsWith = new Dictionary<ulong, List<int>>();
        for (int w = 0; w < words.Length; w++)
        {
            for (int i = 0; i + 1 < lengths[w]; i++)
            {
                ulong pair = Pair(words[w][i], words[w][i + 1]);
                pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + counts[w];
                WordsWith(wordsWith, pair).Add(w);
            }
        }
        var queue = new PriorityQueue<ulong, (long, ulong)>();
        foreach (var (pair, count) in pairCounts) queue.Enqueue(pair, (-count, pair));
        var merges = new List<(int, int)>(mergesWanted);
        var visited = new int[words.Length];
        var before = new Dictionary<ulong, long>();
        while (merges.Count < mergesWanted && queue.TryDequeue(out ulong best, out var priority))
        {
            long count = pairCounts.GetValueOrDefault(best);
            if (count != -priority.Item1)
            {
                if (count > 0) queue.Enqueue(best, (-count, best)); // counts changed since it was queued
                continue;
            }
            if (count < minPairCount) break;
            int left = (int)(best >> 32), right = (int)(uint)best, merged = tokens.Count;
            tokens.Add([.. tokens[left]!, .. tokens[right]!]);
            merges.Add((left, right));
            pairCounts.Remove(best);
            var deltas = new Dictionary<ulong, long>();
            foreach (int w in wordsWith[best])
            {
                if (visited[w] == merges.Count) continue;
                visited[w] = merges.Count;
                Replace(words[w], ref lengths[w], left, right, merged, counts[w], deltas, best, w, wordsWith);
            }
            wordsWith.Remove(best);
            foreach (var (pair, delta) in deltas)
            {
                if (delta == 0) continue;
                long updated = pairCounts.GetValueOrDefault(pair) + delta;
                if (updated <= 0) pairCounts.Remove(pair);
                else
                {
                    pairCounts[pair] = updated;
                    if (delta > 0) queue.Enqueue(pair, (-updated, pair));
                }
            }
        }
        return merges;
    }

    // Merges every (left, right) in the word, left to right, and records how its pair counts change.
    private static void Replace(int[] word, ref int length, int left, int right, int merged, long count,
        Dictionary<ulong, long> deltas, ulong mergedPair, int w, Dictionary<ulong, List<int>> wordsWith)
    {
        for (int i = 0; i + 1 < length; i++) Add(deltas, Pair(word[i], word[i + 1]), -count, mergedPair);
        int write = 0;
        for (int read = 0; read < length; read++)
        {
            if (read + 1 < length && word[read] == left && word[read + 1] == right)
            {
                word[write++] = merged;
                read++;
            }
            else word[write++] = word[read];
        }
        length = write;
        for (int i = 0; i + 1 < length; i++)
        {
            ulong pair = Pair(word[i], word[i + 1]);
            Add(deltas, pair, count, mergedPair);
            if (word[i] == merged || word[i + 1] == merged) WordsWith(wordsWith, pair).Add(w);
        }
    }

    private static void Add(Dictionary<ulong, long> deltas, ulong pair, long delta, ulong mergedPair)
    {
        if (pair != mergedPair) deltas[pair] = deltas.GetValueOrDefault(pair) + delta;
    }

    private static List<int> WordsWith(Dictionary<ulong, List<int>> index, ulong pair)
    {
        if (!index.TryGetValue(pair, out var list)) index[pair] = list = [];
        return list;
    }

    private static ulong Pair(int left, int right) => ((ulong)(uint)left << 32) | (uint)right;
}
