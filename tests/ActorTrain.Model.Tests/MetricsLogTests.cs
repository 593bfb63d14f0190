using ActorTrain.Model;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Model.Tests;

public sealed class MetricsLogTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G'];

    [Fact]
    public async Task Loss_png_is_drawn_while_records_arrive_and_redrawn_whole_at_the_end()
    {
        using var run = new TemporaryDirectory("actortrain-metrics-");
        string png = run.Combine("loss.png");
        var log = new MetricsLog(run.Path);
        log.Record(1, new Dictionary<string, double> { ["train/loss"] = 6.0 });
        // The first record draws at once (then at most every PlotInterval), in the background.
        await Eventually.Until(() => Task.FromResult(File.Exists(png)), exists => exists, TimeSpan.FromSeconds(30), "loss.png while training");
        Assert.Equal(PngSignature, File.ReadAllBytes(png)[..4]);
        var during = File.GetLastWriteTimeUtc(png);

        for (int step = 2; step <= 50; step++)
            log.Record(step, new Dictionary<string, double> { ["train/loss"] = 6.0 / step, ["validation/loss"] = 6.5 / step });
        log.Dispose();
        Assert.True(File.GetLastWriteTimeUtc(png) > during, "loss.png was not redrawn with the last records");
        Assert.Equal(PngSignature, File.ReadAllBytes(png)[..4]);
        Assert.Null(log.PlotError);
        Assert.Equal(["loss.png", "metrics.jsonl"], Directory.GetFiles(run.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
