using ActorTrain.Data.Documents;
using ActorTrain.Data.Tokens;
using ActorTrain.Testing;
using ActorTrain.Tokenizers;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class ShardTokenizerTests
{
    private static Document[] Corpus(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Document($"doc-{i}", $"Document {i} says hello to the tokenizer, {i * 7} times. Ünïcödé ✓\n", "test", System.Collections.Immutable.ImmutableDictionary<string, string>.Empty))];

    [Fact]
    public void Documents_are_split_by_hash_and_packed_with_end_of_text_between_them()
    {
        using var directory = new TemporaryDirectory("tokenize");
        var tokenizer = PretrainedTokenizers.OurGpt2();
        var documents = Corpus(400);
        var split = new ValidationSplit(0.1);
        var result = ShardTokenizer.Tokenize(documents, tokenizer, split, Path.Combine(directory.Path, "train.tokens"), Path.Combine(directory.Path, "validation.tokens"));

        var held = documents.Where(d => split.IsValidation(d.Text)).ToArray();
        Assert.InRange(held.Length, 20, 60);
        Assert.Equal(held.Length, result.ValidationDocuments);
        Assert.Equal(400 - held.Length, result.TrainDocuments);
        using var validation = PackedShard.Open(result.ValidationPath);
        for (int d = 0; d < held.Length; d++)
        {
            var (start, end) = validation.DocumentRange(d);
            var ids = new int[end - start];
            validation.Read(start, ids);
            Assert.Equal(tokenizer.EndOfText, ids[^1]);
            Assert.Equal(held[d].Text, tokenizer.Decode(ids.AsSpan(0, ids.Length - 1)));
        }
        Assert.Equal(held.Sum(d => System.Text.Encoding.UTF8.GetByteCount(d.Text)), result.ValidationBytes);
        Assert.Equal(2, validation.BytesPerToken);
    }

    [Fact]
    public void The_split_is_the_same_in_every_run_and_follows_the_fraction()
    {
        var split = new ValidationSplit(0.25);
        var texts = Enumerable.Range(0, 4000).Select(i => $"text {i}").ToArray();
        Assert.Equal(texts.Select(split.IsValidation), texts.Select(new ValidationSplit(0.25).IsValidation));
        Assert.InRange(texts.Count(split.IsValidation), 900, 1100);
        Assert.DoesNotContain(texts, new ValidationSplit(0).IsValidation);
    }

    [Fact]
    public void Samples_are_fixed_windows_of_the_train_shards_in_index_order()
    {
        using var directory = new TemporaryDirectory("samples");
        var shards = new List<DatasetShard>();
        for (int s = 0; s < 3; s++)
        {
            string name = $"s{s}.tokens";
            using var writer = new PackedShardWriter(Path.Combine(directory.Path, name), 1000, 999);
            writer.AddDocument([.. Enumerable.Range(s * 100, s == 1 ? 3 : 40)]); // shard 1 is too small for a sample
            writer.Complete();
            shards.Add(new DatasetShard(name, DatasetShard.Train, writer.Tokens, 1, 0));
        }
        var index = new DatasetIndex("test", null, 1000, 999, shards);
        index.Save(directory.Path);
        using var samples = new TokenSamples(directory.Path, DatasetIndex.Load(directory.Path), DatasetShard.Train, sequenceLength: 8);
        Assert.Equal(5 + 0 + 5, samples.Count);
        var window = new int[9];
        samples.Read(0, window);
        Assert.Equal(Enumerable.Range(0, 9), window);
        samples.Read(5, window);
        Assert.Equal(Enumerable.Range(200, 9), window);
        samples.Read(9, window);
        Assert.Equal([232, 233, 234, 235, 236, 237, 238, 239, 999], window);
        Assert.Throws<ArgumentOutOfRangeException>(() => samples.Read(10, window));

        // A shard left behind by another tokenization (another vocabulary), or another token count than the index says.
        var otherVocabulary = new DatasetIndex("test", null, 50_257, 50_256, shards);
        Assert.Contains($"{Path.Combine(directory.Path, "s0.tokens")}: {shards[0].Tokens} tokens of a 1000-token vocabulary",
            Assert.Throws<InvalidDataException>(() => new TokenSamples(directory.Path, otherVocabulary, DatasetShard.Train, 8)).Message);
        var otherCount = new DatasetIndex("test", null, 1000, 999, [.. shards.Select(s => s with { Tokens = s.Tokens + 1 })]);
        Assert.Contains("the dataset index says", Assert.Throws<InvalidDataException>(() => new TokenSamples(directory.Path, otherCount, DatasetShard.Train, 8)).Message);
    }

    [Fact]
    public void A_missing_or_broken_dataset_index_is_refused_naming_the_file()
    {
        using var directory = new TemporaryDirectory("index");
        Assert.Contains("no dataset index", Assert.Throws<InvalidDataException>(() => DatasetIndex.Load(directory.Path)).Message);
        File.WriteAllText(Path.Combine(directory.Path, "dataset.json"), "{ \"tokenizer\": ");
        var error = Assert.Throws<InvalidDataException>(() => DatasetIndex.Load(directory.Path));
        Assert.Contains(Path.Combine(directory.Path, "dataset.json"), error.Message);
    }
}
