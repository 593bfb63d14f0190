namespace ActorTrain.Model;

/// <summary>loss.png of a run: training loss per step and validation loss where it was measured, from metrics.jsonl.
/// Replaced whole (written beside, then renamed), so a viewer never sees half a picture.</summary>
public static class LossPlot
{
    public static string Write(string runDirectory, double? baseline = null)
    {
        var records = MetricsLog.Read(Path.Combine(runDirectory, "metrics.jsonl")).ToArray();
        var plot = new ScottPlot.Plot();
        var train = records.Where(r => r.ContainsKey("train/loss")).ToArray();
        var trainLine = plot.Add.ScatterLine(train.Select(r => r["step"]).ToArray(), train.Select(r => r["train/loss"]).ToArray());
        trainLine.LegendText = "train";
        var validation = records.Where(r => r.ContainsKey("validation/loss")).ToArray();
        if (validation.Length > 0)
        {
            var line = plot.Add.Scatter(validation.Select(r => r["step"]).ToArray(), validation.Select(r => r["validation/loss"]).ToArray());
            line.LegendText = "validation";
        }
        if (baseline is double value && !double.IsNaN(value))
        {
            var unigram = plot.Add.HorizontalLine(value);
            unigram.LegendText = "unigram baseline";
            unigram.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        plot.Title("ActorTrain loss");
        plot.XLabel("step");
        plot.YLabel("loss (nats per token)");
        plot.ShowLegend();
        string path = Path.Combine(runDirectory, "loss.png");
        string partial = path + ".partial.png";
        plot.SavePng(partial, 900, 540);
        File.Move(partial, path, overwrite: true);
        return path;
    }
}
