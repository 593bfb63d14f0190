using ActorTrain.Data.Tokens;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class PackedShardTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-tokens-");

    public void Dispose() => root.Dispose();

    private string Write(int vocabulary, int endOfText, params int[][] documents)
    {
        string path = root.Combine($"shard-{Guid.NewGuid():N}.tokens");
        using var writer = new PackedShardWriter(path, vocabulary, endOfText);
        foreach (var document in documents) writer.AddDocument(document);
        writer.Complete();
        return path;
    }

    [Theory]
    [InlineData(50_257, 2)]      // GPT-2's vocabulary fits in uint16
    [InlineData(100_277, 4)]     // cl100k does not
    public void Documents_come_back_with_an_end_of_text_after_each_and_their_index(int vocabulary, int width)
    {
        int eot = vocabulary - 1;
        string path = Write(vocabulary, eot, [5, 6, 7], [], [vocabulary - 2]);
        using var shard = PackedShard.Open(path);

        Assert.Equal(width, shard.BytesPerToken);
        Assert.Equal((7L, 3), (shard.Tokens, shard.Documents));
        var tokens = new int[7];
        shard.Read(0, tokens);
        Assert.Equal(new[] { 5, 6, 7, eot, eot, vocabulary - 2, eot }, tokens);
        Assert.Equal((0L, 4L), shard.DocumentRange(0));
        Assert.Equal((4L, 5L), shard.DocumentRange(1));
        Assert.Equal((5L, 7L), shard.DocumentRange(2));
        Assert.Equal(new FileInfo(path).Length, PackedShardFormat.HeaderBytes + 7L * width + 8 * 4);
    }

    [Fact]
    public void A_flipped_payload_byte_is_refused_as_corrupt_naming_the_file()
    {
        string path = Write(1000, 0, [1, 2, 3, 4]);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[PackedShardFormat.HeaderBytes + 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => PackedShard.Open(path));
        Assert.StartsWith($"{path}: payload checksum", error.Message);
        Assert.Contains("(corrupt)", error.Message);
    }

    [Fact]
    public void A_truncated_shard_is_refused_by_its_header()
    {
        string path = Write(1000, 0, [1, 2, 3, 4], [5]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        Assert.Contains("truncated or torn", Assert.Throws<InvalidDataException>(() => PackedShard.Open(path)).Message);
    }

    [Theory]
    [InlineData(0, "no ATTOKENS magic")]
    [InlineData(8, "format version")]
    [InlineData(12, "token width")]
    public void A_foreign_or_newer_header_is_refused_with_what_is_wrong(int offset, string expected)
    {
        string path = Write(1000, 0, [1, 2]);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[offset] = 9;
        File.WriteAllBytes(path, bytes);
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => PackedShard.Open(path)).Message);
    }

    [Fact]
    public void Tokens_outside_the_vocabulary_are_refused_while_writing()
    {
        using var writer = new PackedShardWriter(root.Combine("bad.tokens"), 100, 0);
        Assert.Contains("token 100 at position 1 is outside the vocabulary of 100",
            Assert.Throws<ArgumentOutOfRangeException>(() => writer.AddDocument([3, 100])).Message);
    }

    [Fact]
    public void An_unfinished_writer_leaves_no_shard_behind()
    {
        string path = root.Combine("unfinished.tokens");
        using (var writer = new PackedShardWriter(path, 100, 0)) writer.AddDocument([1, 2]);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".partial"));
    }
}
