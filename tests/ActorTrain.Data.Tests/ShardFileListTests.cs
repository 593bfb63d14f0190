using ActorTrain.Data.Ingest;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class ShardFileListTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-file-list-");

    public void Dispose() => root.Dispose();

    [Fact]
    public void Any_path_a_file_system_allows_comes_back_in_order()
    {
        string[] files = ["/corpus/a.txt", "/corpus/with\nnewline.md", "/corpus/\"quoted\" \\ back", "/korpus/übersicht ✓.html", "/corpus/a.txt", " "];
        var listed = ShardFileList.Write(ShardFileList.PathIn(root.Combine("shard-0000")), files);
        Assert.Equal((files.Length, 64), (listed.Count, listed.Sha256.Length));
        Assert.Equal(files, listed.Read());
    }

    [Fact]
    public void An_empty_shard_has_an_empty_list() =>
        Assert.Empty(ShardFileList.Write(root.Combine("empty.jsonl"), []).Read());

    [Fact]
    public void A_list_changed_cut_or_lost_since_planning_is_refused_by_name()
    {
        string path = root.Combine("planned-files.jsonl");
        var listed = ShardFileList.Write(path, ["/a", "/b", "/c"]);

        File.WriteAllLines(path, ["\"/a\"", "\"/b\""]); // cut
        Assert.Contains($"the planned file list {path} changed since it was planned", Assert.Throws<InvalidDataException>(() => listed.Read()).Message);

        ShardFileList.Write(path, ["/a", "/b", "/c"]);
        Assert.Equal(3, listed.Read().Length); // the same list written again is the plan

        File.Delete(path);
        Assert.Contains($"the planned file list {path} cannot be read", Assert.Throws<InvalidDataException>(() => listed.Read()).Message);
    }

    [Fact]
    public void Writing_replaces_a_list_whole_and_leaves_no_partial_file()
    {
        string path = root.Combine("planned-files.jsonl");
        ShardFileList.Write(path, Enumerable.Range(0, 1000).Select(i => $"/corpus/{i}.txt").ToArray());
        var shorter = ShardFileList.Write(path, ["/only"]);
        Assert.Equal(["/only"], shorter.Read().ToArray());
        Assert.Equal(["planned-files.jsonl"], Directory.GetFiles(root.Path).Select(Path.GetFileName));
    }
}
