using ActorTrain.Protocol.Dedup;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class ClaimBatchTests
{
    [Fact]
    public void Claims_come_back_as_they_went_in_exact_keys_first_with_each_source_written_once()
    {
        ClaimedKey[] claims =
        [
            new(DedupKind.Near, 5, "/corpus/a.jsonl#12"),
            new(DedupKind.Exact, 1, "/corpus/a.jsonl#12"),
            new(DedupKind.Near, ulong.MaxValue, "/corpus/b#c.txt#0"),   // a '#' inside the path
            new(DedupKind.Near, 7, "/corpus/a.jsonl#3"),
            new(DedupKind.Exact, 2, "/corpus/b#c.txt#9007199254740993"),
        ];
        var batch = ClaimBatch.Of(claims);

        Assert.Equal(["/corpus/a.jsonl", "/corpus/b#c.txt"], batch.Sources.ToArray());
        Assert.Equal(2, batch.ExactKeys);
        Assert.Equal(5, batch.Count);
        Assert.Equal([claims[1], claims[4], claims[0], claims[2], claims[3]], batch.Claims().ToArray());
    }

    [Theory]
    [InlineData("/corpus/a.jsonl")]
    [InlineData("/corpus/a.jsonl#")]
    [InlineData("/corpus/a.jsonl#x1")]
    [InlineData("/corpus/a.jsonl#-1")]
    [InlineData("/corpus/a.jsonl#007")]   // would come back as #7
    public void An_id_that_is_not_source_and_record_is_refused_with_its_name(string documentId)
    {
        var error = Assert.Throws<ArgumentException>(() => ClaimBatch.Of([new ClaimedKey(DedupKind.Near, 1, documentId)]));
        Assert.Contains($"'{documentId}'", error.Message);
    }
}
