using ActorTrain.Data.Cleaning.Toxicity;
using ActorTrain.Data.Documents;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class ToxicityStageTests : IDisposable
{
    private readonly TemporaryDirectory lists = new("actortrain-toxicity-");

    public void Dispose() => lists.Dispose();

    private string List(params string[] lines)
    {
        string path = lists.Combine($"list-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Words_match_on_boundaries_only_and_ignore_case()
    {
        var stage = new ToxicityStage(new ToxicitySettings { WordListFiles = [List("# test list", "grape", "sour milk")] });
        Assert.True(stage.Apply(Document.Of("a", "Grapefruit and grapes are not the word.")).IsKept);
        Assert.Equal("1 word-list matches > 0", stage.Apply(Document.Of("b", "A GRAPE, they said.")).DropReason);
        Assert.Equal("2 word-list matches > 0", stage.Apply(Document.Of("c", "It smelled of Sour milk? No: sour milk.")).DropReason);
    }

    [Fact]
    public void Threshold_and_flagging_are_per_document()
    {
        var settings = new ToxicitySettings { WordListFiles = [List("grape")], MaxMatches = 1, Action = ToxicityAction.Flag };
        var stage = new ToxicityStage(settings);
        Assert.False(stage.Apply(Document.Of("a", "one grape")).Kept!.Metadata.ContainsKey(ToxicityStage.MatchesKey));
        var flagged = stage.Apply(Document.Of("b", "grape grape grape")).Kept!;
        Assert.Equal("3", flagged.Metadata[ToxicityStage.MatchesKey]);
    }

    [Fact]
    public void A_missing_list_file_is_named() =>
        Assert.Contains("no-such-list.txt", Assert.Throws<FileNotFoundException>(() =>
            new ToxicityStage(new ToxicitySettings { WordListFiles = [lists.Combine("no-such-list.txt")] })).Message);
}
