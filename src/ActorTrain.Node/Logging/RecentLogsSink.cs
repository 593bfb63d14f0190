using ActorTrain.Cmd.Palettes.Builtin;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace ActorTrain.Node.Logging;

/// <summary>Keeps each Serilog event, rendered as one text line, in <see cref="RecentLogs"/> for `pbm log peek`.</summary>
public sealed class RecentLogsSink(RecentLogs recent, ITextFormatter formatter) : ILogEventSink
{
    public void Emit(LogEvent logEvent)
    {
        using var line = new StringWriter();
        formatter.Format(logEvent, line);
        recent.Add(line.ToString().TrimEnd('\r', '\n'));
    }
}
