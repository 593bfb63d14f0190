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

    // A diverged step's NaN or infinite loss is written ("NaN", "Infinity") rather than failing the step that logs it.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <param name="resumedAt">The step a run resumes at (0 for a run that starts afresh): records after it, written
    /// before a crash and about to be written again, are dropped, and so is a line torn by the crash. Null appends to
    /// the log as it is (a cluster run's coordinator writes each committed step once).</param>
    public MetricsLog(string runDirectory, long? resumedAt = null)
    {
        this.runDirectory = runDirectory;
        Directory.CreateDirectory(runDirectory);
        Path = System.IO.Path.Combine(runDirectory, "metrics.jsonl");
        if (resumedAt is long step && File.Exists(Path)) KeepThrough(step);
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
        lines.WriteLine(JsonSerializer.Serialize(line, Json));
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

    /// <summary>Every record of a metrics.jsonl, as name → value (the time left out; NaN and infinities as written).
    /// A line that is not a whole record (the last one, torn by a crash) is skipped.</summary>
    public static IEnumerable<Dictionary<string, double>> Read(string path) =>
        File.ReadLines(path).Select(Parse).OfType<Dictionary<string, double>>();

    private static Dictionary<string, double>? Parse(string line)
    {
        Dictionary<string, JsonElement>? record;
        try
        {
            record = line.Length == 0 ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line);
        }
        catch (JsonException)
        {
            return null;
        }
        if (record is null || !record.ContainsKey("step")) return null;
        var values = new Dictionary<string, double>();
        foreach (var (name, element) in record)
        {
            if (element.ValueKind == JsonValueKind.Number) values[name] = element.GetDouble();
            else if (element.ValueKind == JsonValueKind.String && name != "time" && double.TryParse(element.GetString(), System.Globalization.NumberStyles.Float,
                         System.Globalization.CultureInfo.InvariantCulture, out double named)) values[name] = named;
        }
        return values;
    }

    // Rewrites the log with its whole records up to the step (through a temporary file: a crash leaves the old or the new).
    private void KeepThrough(long step)
    {
        var kept = File.ReadLines(Path).Where(line => Parse(line) is { } record && record["step"] <= step).ToArray();
        string temporary = Path + ".partial";
        File.WriteAllLines(temporary, kept);
        File.Move(temporary, Path, overwrite: true);
    }

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
