using System.Diagnostics;
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
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actortrain.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(deadline.Token);
        return new Outcome(process.ExitCode, await stdout + await stderr);
    }
}
