using System.Text.Json;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Cmd.Palettes.Builtin;

/// <summary>`log`: the node's recent log lines, and its log level.</summary>
public sealed class LogPalette(ActorSystem system) : PaletteHandler
{
    public override PaletteDefinition Definition { get; } = new("log", "The node's log.",
    [
        new("peek", "The last log lines of this node.", [new("count", "n", "How many lines.", Default: "50")]),
        new("set-level", "Change this node's log level: debug, info, warning or error.", [new("level", "l", "The new level.", Mandatory: true)]),
    ]);

    public override async Task ExecuteAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken)
    {
        if (command.Command.Name == "peek")
        {
            int count = command.Integer("count", 50);
            if (count is < 1 or > RecentLogs.Capacity) throw new CommandLineException($"--count must be 1 to {RecentLogs.Capacity}");
            var lines = RecentLogs.For(system).Last(count);
            await output.WriteAsync(command.Json ? JsonSerializer.Serialize(lines) : lines.Count == 0 ? "no log lines kept (is RecentLogsLogger in akka.loggers?)" : string.Join("\n", lines));
            return;
        }
        string text = command.Required("level");
        LogLevel level = text.ToLowerInvariant() switch
        {
            "debug" => LogLevel.DebugLevel,
            "info" => LogLevel.InfoLevel,
            "warning" => LogLevel.WarningLevel,
            "error" => LogLevel.ErrorLevel,
            _ => throw new CommandLineException($"--level '{text}': debug, info, warning or error"),
        };
        system.EventStream.SetLogLevel(level);
        await output.WriteAsync(command.Json ? JsonSerializer.Serialize(new { level = text.ToLowerInvariant() }) : $"log level is now {text.ToLowerInvariant()}");
    }
}
