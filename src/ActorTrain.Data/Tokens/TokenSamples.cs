namespace ActorTrain.Data.Tokens;

/// <summary>
/// The samples of one split: consecutive windows of <c>SequenceLength + 1</c> tokens (inputs and
/// next-token targets overlap by one), <c>SequenceLength</c> apart, within each shard in the index's
/// order. Sample i is a fixed slice of a fixed shard: the dataset index and the sequence length decide it.
/// </summary>
public sealed class TokenSamples : IDisposable
{
    private readonly PackedShard[] shards;
    private readonly long[] firstSample;

    /// <exception cref="InvalidDataException">A shard that is not the one the index describes (another vocabulary, or
    /// another token count: left behind by an earlier tokenization); the message names the file.</exception>
    public TokenSamples(string datasetDirectory, DatasetIndex index, string split, int sequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        SequenceLength = sequenceLength;
        var opened = new List<PackedShard>();
        try
        {
            foreach (var entry in index.Split(split))
            {
                var shard = PackedShard.Open(Path.Combine(datasetDirectory, entry.Path));
                opened.Add(shard);
                if (shard.VocabularySize != index.VocabularySize || shard.EndOfText != index.EndOfText || shard.Tokens != entry.Tokens)
                    throw new InvalidDataException($"{Path.Combine(datasetDirectory, entry.Path)}: {shard.Tokens} tokens of a {shard.VocabularySize}-token vocabulary " +
                                                   $"(end of text {shard.EndOfText}); the dataset index says {entry.Tokens} of {index.VocabularySize} (end of text {index.EndOfText})");
            }
        }
        catch
        {
            foreach (var shard in opened) shard.Dispose();
            throw;
        }
        shards = [.. opened];
        firstSample = new long[shards.Length + 1];
        for (int s = 0; s < shards.Length; s++) firstSample[s + 1] = firstSample[s] + Math.Max(0, (shards[s].Tokens - 1) / sequenceLength);
        Count = firstSample[^1];
    }

    public int SequenceLength { get; }

    public long Count { get; }

    /// <summary>Copies sample <paramref name="sample"/> (SequenceLength + 1 tokens) into <paramref name="destination"/>.</summary>
    public void Read(long sample, Span<int> destination)
    {
        if ((ulong)sample >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(sample), $"sample {sample} of {Count}");
        if (destination.Length != SequenceLength + 1) throw new ArgumentException($"a sample has {SequenceLength + 1} tokens, the destination {destination.Length}");
        // The last shard starting at or before the sample (shards too small for a sample start where the next does).
        int shard = 0;
        for (int high = shards.Length - 1; shard < high;)
        {
            int middle = (shard + high + 1) / 2;
            if (firstSample[middle] <= sample) shard = middle;
            else high = middle - 1;
        }
        shards[shard].Read((sample - firstSample[shard]) * SequenceLength, destination);
    }

    public void Dispose()
    {
        foreach (var shard in shards) shard.Dispose();
    }
}
