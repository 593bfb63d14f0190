using ActorTrain.Data.Tokens;

namespace ActorTrain.Testing;

/// <summary>A tokenized dataset a tiny model learns in a few steps: 300 documents of 200 tokens that
/// count up modulo 50 from a random start, in a 64-token vocabulary (end-of-text 50).</summary>
public static class CountingDataset
{
    /// <param name="seed">Draws the documents' starts: another seed writes a dataset of the same shape and other content.</param>
    public static string Write(string directory, int seed = 2)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(seed);
        using var writer = new PackedShardWriter(Path.Combine(directory, "train.tokens"), 64, 50);
        for (int d = 0; d < 300; d++)
        {
            int start = random.Next(50);
            writer.AddDocument([.. Enumerable.Range(0, 200).Select(i => (start + i) % 50)]);
        }
        writer.Complete();
        new DatasetIndex("synthetic", null, 64, 50, [new DatasetShard("train.tokens", DatasetShard.Train, writer.Tokens, writer.Documents, writer.Tokens)]).Save(directory);
        return directory;
    }
}
