using System.Diagnostics;

namespace ActorTrain.Processes;

/// <summary>Runs a program to completion, capturing what it printed.</summary>
public static class ExternalCommand
{
    public sealed record Outcome(int ExitCode, string Output);

    /// <summary>Runs and fails with the program's output when it exits non-zero.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var outcome = await RunForOutcomeAsync(program, arguments, timeout);
        if (outcome.ExitCode != 0)
            throw new InvalidOperationException($"`{program} {string.Join(' ', arguments)}` exited with {outcome.ExitCode}:\n{outcome.Output}");
        return outcome.Output;
    }

    /// <summary>Runs and returns the exit code with stdout and stderr; <paramref name="environment"/>
    /// may change the child's variables before it starts (a null value removes one).</summary>
    public static async Task<Outcome> RunForOutcomeAsync(string program, IEnumerable<string> arguments, TimeSpan timeout,
        Action<IDictionary<string, string?>>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        environment?.Invoke(start.Environment);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{program} {string.Join(' ', arguments)}` did not finish within {timeout.TotalSeconds:0}s");
        }
        return new Outcome(process.ExitCode, await stdout + await stderr);
    }
}
