using ActorTrain.Cluster.Ingest;
using ActorTrain.Protocol.Ingest;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class IngestRequestDifferencesTests
{
    private static readonly IngestJobCommands.Start Journaled = new("docs", ["/data/a", "/data/b"], ["**/*.md"], [".git/**"], 4, "/out/docs", "bpe:8192", 0.01);

    [Fact]
    public void The_same_request_in_another_order_is_the_same_job()
    {
        var reordered = Journaled with { Sources = ["/data/b", "/data/a"], Include = ["**/*.md"] };
        Assert.Empty(IngestRequestDifferences.Between(Journaled, reordered));
    }

    [Fact]
    public void Every_option_that_differs_is_named_with_both_values()
    {
        var asked = Journaled with
        {
            Sources = ["/data/a", "/data/c"], Include = [], Exclude = [".git/**"], Shards = 8, OutputDirectory = "/elsewhere", Tokenizer = null, ValidationFraction = 0.05,
        };
        Assert.Equal(
        [
            "--source: /data/c not journaled, /data/b journaled, not asked", "--include: **/*.md journaled, not asked", "--shards: 4 journaled, 8 asked",
            "--output: /out/docs journaled, /elsewhere asked", "--tokenizer: bpe:8192 journaled, none asked", "--validation-fraction: 0.01 journaled, 0.05 asked",
        ], IngestRequestDifferences.Between(Journaled, asked));
    }

    [Fact]
    public void Many_sources_are_counted_past_the_first_three_and_sources_not_journaled_are_not_compared()
    {
        var many = Journaled with { Sources = [.. Enumerable.Range(0, 10).Select(i => $"/new/{i}")] };
        Assert.Equal(["--source: /new/0 /new/1 /new/2 and 7 more not journaled, /data/a /data/b journaled, not asked"], IngestRequestDifferences.Between(Journaled, many));
        // More than the journal holds inline: the request was journaled without them, so nothing says they differ.
        Assert.Empty(IngestRequestDifferences.Between(Journaled with { Sources = [] }, many));
    }
}
