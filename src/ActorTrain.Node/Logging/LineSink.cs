using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace ActorTrain.Node.Logging;

/// <summary>Each Serilog event rendered whole by <paramref name="formatter"/>, then handed to <paramref name="write"/>
/// in one piece (standard output under its lock, or the lines `pbm log peek` keeps).</summary>
public sealed class LineSink(ITextFormatter formatter, Action<string> write) : ILogEventSink
{
    public void Emit(LogEvent logEvent)
    {
        using var line = new StringWriter();
        formatter.Format(logEvent, line);
        write(line.ToString());
    }
}
