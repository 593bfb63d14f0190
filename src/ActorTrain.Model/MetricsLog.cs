using System.Text.Json;
using TorchSharp;

namespace ActorTrain.Model;

/// <summary>
/// A run's metrics, one JSON object per line in metrics.jsonl (appended and flushed per record, so
/// a crash loses at most the line being written), the same scalars as TensorBoard event files
/// under tensorboard/, and loss.png redrawn in the background at most every <see cref="PlotInterval"/>
/// while training and once more at the end.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    /// <summary>How often loss.png is redrawn while records arrive.</summary>
    public static readonly TimeSpan PlotInterval = TimeSpan.FromSeconds(10);

    private readonly StreamWriter lines;
    private readonly TorchSharp.Modules.SummaryWriter tensorBoard;
    private readonly string runDirectory;
    private DateTime lastPlot = DateTime.MinValue;
    private Task plotting = Task.CompletedTask;
    private bool recordedSincePlot;

    public MetricsLog(string runDirectory)
    {
        this.runDirectory = runDirectory;
        Directory.CreateDirectory(runDirectory);
        Path = System.IO.Path.Combine(runDirectory, "metrics.jsonl");
        lines = new StreamWriter(Path, append: true) { AutoFlush = true };
        tensorBoard = torch.utils.tensorboard.SummaryWriter(System.IO.Path.Combine(runDirectory, "tensorboard"));
    }

    public string Path { get; }

    /// <summary>Records the values of one step under their names ("train/loss", "validation/loss", ...).</summary>
    public void Record(long step, IReadOnlyDictionary<string, double> values)
    {
        var line = new Dictionary<string, object> { ["step"] = step, ["time"] = DateTimeOffset.UtcNow.ToString("O") };
        foreach (var (name, value) in values)
        {
            line[name] = Math.Round(value, 6);
            tensorBoard.add_scalar(name, (float)value, (int)step);
        }
        lines.WriteLine(JsonSerializer.Serialize(line));
        recordedSincePlot = true;
        if (DateTime.UtcNow - lastPlot >= PlotInterval && plotting.IsCompleted) Plot();
    }

    /// <summary>Why the last loss.png could not be drawn, or null.</summary>
    public string? PlotError { get; private set; }

    // Drawn off the training thread: it reads metrics.jsonl, which is flushed per record.
    private void Plot()
    {
        lastPlot = DateTime.UtcNow;
        recordedSincePlot = false;
        plotting = Task.Run(() =>
        {
            try
            {
                LossPlot.Write(runDirectory);
                PlotError = null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or JsonException)
            {
                PlotError = e.Message;
            }
        });
    }

    /// <summary>Every record of a metrics.jsonl, as name → value (the time left out).</summary>
    public static IEnumerable<Dictionary<string, double>> Read(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(l)!
            .Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Key, p => p.Value.GetDouble()));

    // TorchSharp's SummaryWriter writes each event as it is added and holds nothing to close.
    public void Dispose()
    {
        lines.Dispose();
        plotting.Wait();
        if (recordedSincePlot)
        {
            Plot();
            plotting.Wait();
        }
    }
}
