using ActorTrain.Data.Tokens;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Data.Tests;

/// <summary>dataset.json as a hand or a damaged disk may leave it: refused when loaded, naming the field.</summary>
public sealed class DatasetIndexTests
{
    private const string Shard = """{ "path": "train.tokens", "split": "train", "tokens": 10, "documents": 1, "text_bytes": 30 }""";

    [Theory]
    [InlineData(-3, 2, Shard, "vocabulary_size is -3, not a positive number")]
    [InlineData(64, 64, Shard, "end_of_text 64 is outside the vocabulary [0, 64)")]
    [InlineData(64, 2, """{ "path": "../elsewhere.tokens", "split": "train", "tokens": 10, "documents": 1, "text_bytes": 30 }""",
        "shard ../elsewhere.tokens is not a path inside the dataset directory")]
    [InlineData(64, 2, """{ "path": "train.tokens", "split": "test", "tokens": 10, "documents": 1, "text_bytes": 30 }""",
        "shard train.tokens has split 'test', not train or validation")]
    [InlineData(64, 2, """{ "path": "train.tokens", "split": "train", "tokens": -10, "documents": 1, "text_bytes": 30 }""",
        "shard train.tokens has a negative count")]
    public void An_index_no_ingest_writes_is_refused_with_the_field(int vocabulary, int endOfText, string shard, string message)
    {
        using var directory = new TemporaryDirectory("dataset-index");
        File.WriteAllText(Path.Combine(directory.Path, DatasetIndex.FileName),
            $$"""{ "tokenizer": "bpe", "tokenizer_sha256": null, "vocabulary_size": {{vocabulary}}, "end_of_text": {{endOfText}}, "shards": [ {{shard}} ] }""");
        var error = Assert.Throws<InvalidDataException>(() => DatasetIndex.Load(directory.Path));
        Assert.Contains(message, error.Message);
        Assert.Contains(DatasetIndex.FileName, error.Message);
    }

    [Fact]
    public void A_valid_index_round_trips()
    {
        using var directory = new TemporaryDirectory("dataset-index");
        var index = new DatasetIndex("gpt2", "abc", 50_257, 50_256, [new DatasetShard("shard-0/train.tokens", DatasetShard.Train, 10, 1, 30)]);
        index.Save(directory.Path);
        var loaded = DatasetIndex.Load(directory.Path);
        Assert.Equal(index.VocabularySize, loaded.VocabularySize);
        Assert.Equal(index.Shards.ToArray(), loaded.Shards.ToArray());
    }
}
