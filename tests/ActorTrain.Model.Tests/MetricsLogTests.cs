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

    [Fact]
    public void A_diverged_loss_is_logged_and_a_resumed_run_drops_what_came_after_its_checkpoint_and_a_torn_line()
    {
        using var run = new TemporaryDirectory("actortrain-metrics-");
        using (var log = new MetricsLog(run.Path))
        {
            for (int step = 1; step <= 5; step++) log.Record(step, new Dictionary<string, double> { ["train/loss"] = 6.0 / step });
            log.Record(6, new Dictionary<string, double> { ["train/loss"] = double.NaN, ["train/grad_norm"] = double.PositiveInfinity });
        }
        var diverged = MetricsLog.Read(run.Combine("metrics.jsonl")).Last();
        Assert.True(double.IsNaN(diverged["train/loss"]));
        Assert.Equal(double.PositiveInfinity, diverged["train/grad_norm"]);

        File.AppendAllText(run.Combine("metrics.jsonl"), "{\"step\":7,\"train/lo"); // the crash tore the line being written
        Assert.Equal(6, MetricsLog.Read(run.Combine("metrics.jsonl")).Count());
        // Resumed from the checkpoint at step 3: steps 4 to 6 are trained (and logged) again.
        using (var resumed = new MetricsLog(run.Path, resumedAt: 3))
            resumed.Record(4, new Dictionary<string, double> { ["train/loss"] = 1.4 });
        Assert.Equal([1.0, 2.0, 3.0, 4.0], MetricsLog.Read(run.Combine("metrics.jsonl")).Select(r => r["step"]));
        Assert.Equal(1.4, MetricsLog.Read(run.Combine("metrics.jsonl")).Last()["train/loss"]);
    }
}
