using ActorTrain.Cluster.Persistence;
using ActorTrain.Cmd.Palettes;
using ActorTrain.Node.Info;
using Spectre.Console;

namespace ActorTrain.Node.Cmd;

/// <summary>`node`: what `actortrain info` prints, for the node the client is connected to.</summary>
public sealed class NodePalette(JournalTarget journal) : PaletteHandler
{
    public override PaletteDefinition Definition { get; } = new("node", "This node.",
    [
        new("info", "Versions, native library and CPU features, torch threads, and a journal write and read.", []),
    ]);

    public override async Task ExecuteAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken)
    {
        var info = await NodeInfoCollector.CollectAsync(journal, TimeSpan.FromSeconds(30), cancellationToken);
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(text) });
        console.Profile.Width = 160;
        if (command.Json) NodeInfoPrinter.WriteJson(console, info);
        else NodeInfoPrinter.WriteTable(console, info);
        await output.WriteAsync(text.ToString().TrimEnd());
        if (!info.Ok) throw new CommandFailedException(string.Join("; ", info.Failures()));
    }
}
