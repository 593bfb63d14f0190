using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Cleaning.Pii;
using ActorTrain.Data.Cleaning.Quality;
using ActorTrain.Data.Documents;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class CleaningPipelineTests
{
    private readonly CleaningPipeline pipeline = new([
        new NormaliseStage(),
        new GopherQualityStage(new GopherQualitySettings()),
        new PiiStage(new PiiPlaceholders()),
    ]);

    [Fact]
    public void Stages_rewrite_in_order_and_the_first_drop_names_its_stage()
    {
        var kept = pipeline.Clean(Document.Of("a", Prose.Lines(6) + "\r\nMail me at someone@example.org please."));
        Assert.Null(kept.DroppedBy);
        Assert.EndsWith("Mail me at <EMAIL> please.", kept.Kept!.Text);

        var dropped = pipeline.Clean(Document.Of("b", "too short"));
        Assert.Equal("gopher-quality", dropped.DroppedBy);
        Assert.Equal("2 words < 50", dropped.Reason);
    }

    [Fact]
    public void Counts_add_up_per_stage_and_merge_across_shards()
    {
        var counts = CleaningCounts.Empty;
        foreach (string text in new[] { Prose.Lines(6), "short", "  ", "also short" })
        {
            var outcome = pipeline.Clean(Document.Of(text, text));
            counts = counts.Add(outcome, text.Length, outcome.Kept?.Text.Length ?? 0);
        }
        Assert.Equal(4, counts.DocumentsIn);
        Assert.Equal(1, counts.DocumentsKept);
        Assert.Equal(2, counts.DroppedByStage["gopher-quality"]);
        Assert.Equal(1, counts.DroppedByStage["normalise"]);

        var merged = counts.Merge(counts);
        Assert.Equal(8, merged.DocumentsIn);
        Assert.Equal(4, merged.DroppedByStage["gopher-quality"]);
    }
}
