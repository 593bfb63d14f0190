using ActorTrain.Data.Collection;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class DocumentIdsTests
{
    [Theory]
    [InlineData("/a#0", "/a", 0L)]
    [InlineData("/x#y/b.txt#12", "/x#y/b.txt", 12L)]
    [InlineData("#5", "", 5L)]
    public void An_id_parses_into_the_source_and_record_it_was_made_of(string id, string source, long record)
    {
        Assert.Equal((source, record), DocumentIds.Parse(id));
        Assert.Equal(id, DocumentIds.For(source, record));
    }

    [Theory]
    [InlineData("doc-3")]
    [InlineData("/a#")]
    [InlineData("/a#007")]
    [InlineData("/a#+7")]
    [InlineData("/a#-1")]
    [InlineData("/a#99999999999999999999")]
    public void An_id_not_written_as_For_writes_it_is_refused(string id) =>
        Assert.Contains($"'{id}' is not SOURCE#RECORD", Assert.Throws<ArgumentException>(() => DocumentIds.Parse(id)).Message);

    [Fact]
    public void Ids_compare_in_parts_as_they_compare_as_strings()
    {
        string[] sources = ["", "/a", "/a b", "/a!b", "/a\"", "/a#", "/a/c", "/b", "/corpus/part-1.jsonl", "/corpus/part-10.jsonl", "/é"];
        long[] records = [0, 1, 9, 10, 11, 99, 100, 123456789012, long.MaxValue];
        var ids = sources.SelectMany(source => records.Select(record => (source, record))).ToArray();
        foreach (var a in ids)
            foreach (var b in ids)
                Assert.Equal(Math.Sign(string.CompareOrdinal(DocumentIds.For(a.source, a.record), DocumentIds.For(b.source, b.record))),
                    Math.Sign(DocumentIds.CompareOrdinal(a.source, a.record, b.source, b.record)));
    }
}
