using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace ActorTrain.Node.Logging;

/// <summary>Serilog events to a writer (the node's standard output), one whole line at a time, under the
/// writer's lock so they never interleave with the node's own status lines.</summary>
public sealed class TextWriterSink(TextWriter output, ITextFormatter formatter) : ILogEventSink
{
    public void Emit(LogEvent logEvent)
    {
        using var line = new StringWriter();
        formatter.Format(logEvent, line);
        lock (output)
        {
            output.Write(line.ToString());
            output.Flush();
        }
    }
}
