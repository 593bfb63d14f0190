using ActorTrain.Data.Collection;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class SourceFilesTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-sources-");

    public void Dispose() => root.Dispose();

    [Fact]
    public void Globs_pick_files_in_ordinal_order()
    {
        string tree = Tree();
        var listed = SourceFiles.List([new SourceSpec(tree, ["**/*.txt", "**/*.md"], ["skip/**"])]);
        Assert.Equal([Path.Combine(tree, "B.md"), Path.Combine(tree, "a.txt"), Path.Combine(tree, "docs", "guide.md")], listed);
    }

    [Fact]
    public void A_link_back_up_the_tree_is_not_followed_and_linked_files_are_listed_once()
    {
        // As Debian's /usr/bin/X11 -> . : followed, it names every file again at each depth, without end.
        string tree = Tree();
        Directory.CreateSymbolicLink(Path.Combine(tree, "docs", "again"), "..");
        Directory.CreateSymbolicLink(Path.Combine(tree, "elsewhere"), root.Combine("outside"));
        File.CreateSymbolicLink(Path.Combine(tree, "also-a.txt"), Path.Combine(tree, "a.txt"));
        Directory.CreateDirectory(root.Combine("outside"));
        File.WriteAllText(root.Combine("outside", "far.txt"), "far");

        var listed = SourceFiles.List([SourceSpec.Everything(tree)]);
        Assert.Equal(["B.md", "a.txt", "also-a.txt", "docs/guide.md", "skip/x.txt"], listed.Select(file => Path.GetRelativePath(tree, file)));
    }

    [Fact]
    public void A_missing_source_is_named()
    {
        string missing = root.Combine("nope");
        Assert.Contains($"source {missing} does not exist", Assert.Throws<FileNotFoundException>(() => SourceFiles.List([SourceSpec.Everything(missing)])).Message);
    }

    private string Tree()
    {
        string tree = root.Combine("tree");
        Directory.CreateDirectory(Path.Combine(tree, "docs"));
        Directory.CreateDirectory(Path.Combine(tree, "skip"));
        File.WriteAllText(Path.Combine(tree, "a.txt"), "a");
        File.WriteAllText(Path.Combine(tree, "B.md"), "b");
        File.WriteAllText(Path.Combine(tree, "docs", "guide.md"), "guide");
        File.WriteAllText(Path.Combine(tree, "skip", "x.txt"), "x");
        return tree;
    }
}
