using ActorTrain.Data.Sampling;
using ActorTrain.Data.Cloze;
using ActorTrain.Data.Tokens;
using ActorTrain.Model;
using ActorTrain.Testing;

namespace ActorTrain.Model.Tests;

/// <summary>A small dataset with structure a model can learn quickly: documents that count up
/// modulo 50 from a random start, in a 64-token vocabulary (50 ordinary ids, then specials).</summary>
internal sealed class SyntheticDataset : IDisposable
{
    public const int Vocabulary = 64;
    public static readonly ClozeTokens Cloze = new(OrdinaryTokens: 50, Mask: 51, EndOfText: 50, Sentinels: [.. Enumerable.Range(53, 11)]);
    public const int Padding = 52;
    private readonly TemporaryDirectory directory = new("model-data");

    public SyntheticDataset(int documents = 200, int context = 32)
    {
        var random = new Random(5);
        using (var writer = new PackedShardWriter(System.IO.Path.Combine(directory.Path, "train.tokens"), Vocabulary, Cloze.EndOfText))
        {
            for (int d = 0; d < documents; d++)
            {
                int start = random.Next(50);
                writer.AddDocument([.. Enumerable.Range(0, random.Next(20, 80)).Select(i => (start + i) % 50)]);
            }
            writer.Complete();
            new DatasetIndex("synthetic", null, Vocabulary, Cloze.EndOfText, [new DatasetShard("train.tokens", DatasetShard.Train, writer.Tokens, writer.Documents, writer.Tokens * 2)]).Save(directory.Path);
        }
        Samples = new TokenSamples(directory.Path, DatasetIndex.Load(directory.Path), DatasetShard.Train, context);
    }

    public TokenSamples Samples { get; }

    public string Path => directory.Path;

    public static ModelConfig Model(AttentionKind attention = AttentionKind.Fused) => new(Vocabulary, Context: 32, Layers: 2, Heads: 2, Embedding: 32, attention);

    public TrainingBatch Batches(Objective objective, ulong seed = 7, StreamDerivation derivation = RandomStreams.ForNewRuns) =>
        new(Samples, objective, Cloze, Padding, new RandomStreams(seed, derivation));

    public void Dispose()
    {
        Samples.Dispose();
        directory.Dispose();
    }
}
