using System.Collections.Immutable;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Ingest;
using ActorTrain.Protocol.Ingest;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class DataShardStateTests
{
    private static readonly CleaningCounts Three = new(3, 2, 300, 200, ImmutableSortedDictionary<string, long>.Empty.Add("c4", 1));

    private static DataShardState Planned() =>
        DataShardState.Initial.Apply(new DataShardEvents.Planned(["/a", "/b"], "/out"));

    [Fact]
    public void Chunks_advance_the_cursor_and_add_up_the_counts()
    {
        var state = Planned()
            .Apply(new DataShardEvents.ChunkWritten(0, "/out/c0", 0, 500, 1, Three))
            .Apply(new DataShardEvents.ChunkWritten(1, "/out/c1", 2, 0, 0, Three));

        Assert.Equal(DataShardStage.Collecting, state.Stage);
        Assert.Equal(new[] { "/out/c0", "/out/c1" }, state.Chunks.ToArray());
        Assert.Equal((2, 0L), (state.NextFile, state.NextRecord));
        Assert.True(state.AllFilesRead);
        Assert.Equal(6, state.Counts.DocumentsIn);
        Assert.Equal(2, state.Counts.DroppedByStage["c4"]);
        Assert.Equal(1, state.BadRecords);

        var done = state.Apply(DataShardEvents.Collected.Instance).Apply(new DataShardEvents.Finalized("/out/final", "ff", Three));
        Assert.Equal(DataShardStage.Finalized, done.Stage);
        Assert.Equal("/out/final", done.Output);
    }

    [Fact]
    public void A_shard_planned_with_a_file_list_counts_its_files_from_the_list()
    {
        var state = DataShardState.Initial.Apply(new DataShardEvents.Planned([], "/out", new ShardFileList("/out/planned-files.jsonl", 3, "ab")))
            .Apply(new DataShardEvents.ChunkWritten(0, "/out/c0", 2, 0, 0, Three));
        Assert.Equal(3, state.FileCount);
        Assert.False(state.AllFilesRead);
        Assert.Equal(3, state.Report.Files);
        Assert.True(state.Apply(new DataShardEvents.ChunkWritten(1, "/out/c1", 3, 0, 0, Three)).AllFilesRead);
    }

    [Fact]
    public void A_chunk_out_of_order_is_refused_as_a_corrupt_journal()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Planned().Apply(new DataShardEvents.ChunkWritten(1, "/out/c1", 1, 0, 0, Three)));
        Assert.Contains("ChunkWritten does not apply", error.Message);
    }

    [Fact]
    public void Collected_needs_every_file_read()
    {
        var halfway = Planned().Apply(new DataShardEvents.ChunkWritten(0, "/out/c0", 1, 0, 0, Three));
        Assert.Throws<InvalidOperationException>(() => halfway.Apply(DataShardEvents.Collected.Instance));
    }

    [Fact]
    public void Shard_ids_parse_back_and_reject_garbage()
    {
        var id = new DataShardId("web/2026", 7);
        Assert.Equal(id, DataShardId.Parse(id.EntityId));
        Assert.Equal("data-shard-web/2026/7", id.PersistenceId);
        Assert.Contains("'web' is not a data shard id", Assert.Throws<FormatException>(() => DataShardId.Parse("web")).Message);
    }
}
