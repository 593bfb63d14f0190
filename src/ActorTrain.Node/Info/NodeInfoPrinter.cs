using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace ActorTrain.Node.Info;

/// <summary>Writes <see cref="NodeInfo"/> as a table for people or as JSON for scripts.</summary>
public static class NodeInfoPrinter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void WriteJson(IAnsiConsole console, NodeInfo info)
    {
        // Straight to the writer: Spectre would wrap long lines at the terminal width.
        console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(info, Json));
    }

    public static void WriteTable(IAnsiConsole console, NodeInfo info)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        Row(grid, "ActorTrain", info.ActorTrain.Version);
        Row(grid, ".NET", $"{info.Dotnet.Framework} ({info.Dotnet.RuntimeIdentifier})");
        Row(grid, "Akka.NET", info.Akka.Version);
        if (info.Torch.Error is null)
        {
            Row(grid, "TorchSharp", $"{info.Torch.TorchSharp} (libtorch {info.Torch.LibTorch})");
            Row(grid, "Torch threads", info.Torch.Threads.ToString()!);
        }
        else Failure(grid, "TorchSharp", info.Torch.Error);
        if (info.Native.Error is null)
        {
            Row(grid, "Native library", $"{info.Native.Path} ({info.Native.Version})");
            Row(grid, "CPU ISA", $"{info.Native.Isa} (dispatching to {info.Native.ActiveIsa})");
            Row(grid, "CPU features", info.Native.Features.Count == 0 ? "none beyond the baseline" : string.Join(' ', info.Native.Features));
            Row(grid, "CUDA kernels", info.Native.CudaCompiled == true ? "compiled in" : "not compiled in");
            Row(grid, "Kernel threads", info.Native.ParallelBackend!);
        }
        else Failure(grid, "Native library", info.Native.Error);
        if (info.Journal.Ok) Row(grid, "Journal", $"{info.Journal.Target}: write and read OK in {info.Journal.RoundTripMs:0} ms");
        else Failure(grid, "Journal", $"{info.Journal.Target}: {info.Journal.Error}");
        console.Write(grid);
    }

    private static void Row(Grid grid, string name, string value) =>
        grid.AddRow(new Markup($"[bold]{name.EscapeMarkup()}[/]"), new Text(value));

    private static void Failure(Grid grid, string name, string error) =>
        grid.AddRow(new Markup($"[bold]{name.EscapeMarkup()}[/]"), new Markup($"[red]FAILED: {error.EscapeMarkup()}[/]"));
}
