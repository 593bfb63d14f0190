using ActorTrain.Processes;
using ActorTrain.Testing;
using Spectre.Console;

namespace ActorTrain.Node.Tests;

/// <summary>Runs `actortrain` in this process with a captured console, or as a real process.</summary>
internal static class CommandLine
{
    public sealed record Outcome(int ExitCode, string Output);

    public static async Task<Outcome> RunInProcessAsync(params string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        var errors = new StringWriter();
        int exitCode = await ActorTrainApp.RunAsync(args, console, errors);
        return new Outcome(exitCode, output.ToString() + errors);
    }

    /// <summary>The built executable (copied next to the tests), as an operator would run it.</summary>
    public static async Task<Outcome> RunProcessAsync(params string[] args)
    {
        var outcome = await ExternalCommand.RunForOutcomeAsync(
            "dotnet", [Path.Combine(AppContext.BaseDirectory, "actortrain.dll"), .. args], TimeSpan.FromSeconds(120));
        return new Outcome(outcome.ExitCode, outcome.Output);
    }
}
