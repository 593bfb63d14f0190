namespace ActorTrain.Data.Tokens;

/// <summary>
/// The loss a model that ignores context would reach: the cross-entropy (nats per token) of the
/// validation tokens under the training tokens' frequencies, add-one smoothed. A trained model
/// worth its name ends far below it.
/// </summary>
public static class UnigramBaseline
{
    public static double CrossEntropy(string datasetDirectory, DatasetIndex index)
    {
        var counts = new long[index.VocabularySize];
        long total = 0;
        foreach (var shard in index.Split(DatasetShard.Train))
            total += Count(Path.Combine(datasetDirectory, shard.Path), counts);
        var validation = new long[index.VocabularySize];
        long evaluated = 0;
        foreach (var shard in index.Split(DatasetShard.Validation))
            evaluated += Count(Path.Combine(datasetDirectory, shard.Path), validation);
        if (evaluated == 0) return double.NaN;
        double nats = 0, denominator = total + index.VocabularySize;
        for (int id = 0; id < counts.Length; id++)
            if (validation[id] > 0) nats -= validation[id] * Math.Log((counts[id] + 1) / denominator);
        return nats / evaluated;
    }

    private static long Count(string path, long[] counts)
    {
        using var shard = PackedShard.Open(path);
        var buffer = new int[1 << 16];
        for (long at = 0; at < shard.Tokens; at += buffer.Length)
        {
            var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, shard.Tokens - at));
            shard.Read(at, chunk);
            foreach (int token in chunk) counts[token]++;
        }
        return shard.Tokens;
    }
}
