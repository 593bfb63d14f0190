using ActorTrain.Cluster.Configuration;
using ActorTrain.Cmd.Palettes.Builtin;
using Akka.Configuration;
using Serilog;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace ActorTrain.Node.Logging;

/// <summary>
/// A node's logs: Akka's log events go to Serilog (Akka.Logger.Serilog), which writes them to standard
/// output as text or compact JSON, every event carrying the node's address (Node) besides what the
/// call site names (Run, Step, ...), and keeps the last lines for `pbm log peek`.
/// </summary>
public static class NodeLogging
{
    /// <summary>One line of text: time, level, node, the logging actor, the rendered message.</summary>
    public const string TextTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] [{Node}] {LogSource}: {Message:l}{NewLine}{Exception}";

    /// <summary>The akka.loggers of a node: Serilog only.</summary>
    public static Config AkkaLoggers { get; } = ConfigurationFactory.ParseString(
        $"akka.loggers = [{EmbeddedHocon.Quote("Akka.Logger.Serilog.SerilogLogger, Akka.Logger.Serilog")}]");

    /// <summary>Sets Serilog's global logger, before the actor system starts (Akka.Logger.Serilog writes to it).</summary>
    /// <param name="format">actortrain.logging.format: text or json.</param>
    /// <exception cref="ConfigurationException">An unknown format.</exception>
    public static void Configure(string node, string format, RecentLogs recent, TextWriter output)
    {
        ITextFormatter console = format switch
        {
            "text" => new MessageTemplateTextFormatter(TextTemplate),
            "json" => new CompactJsonFormatter(),
            _ => throw new ConfigurationException($"actortrain.logging.format = '{format}': expected text or json"),
        };
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Verbose() // akka.loglevel has already decided what reaches Serilog
            .Enrich.WithProperty("Node", node)
            .WriteTo.Sink(new LineSink(console, text =>
            {
                // Whole lines under the writer's lock: they never interleave with the node's own status lines.
                lock (output)
                {
                    output.Write(text);
                    output.Flush();
                }
            }))
            .WriteTo.Sink(new LineSink(new MessageTemplateTextFormatter(TextTemplate), text => recent.Add(text.TrimEnd('\r', '\n'))))
            .CreateLogger();
    }

    /// <summary>Writes what is buffered; call once the actor system has stopped.</summary>
    public static void Flush() => Log.CloseAndFlush();
}
