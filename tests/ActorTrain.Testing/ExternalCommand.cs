using System.Diagnostics;

namespace ActorTrain.Testing;

/// <summary>Runs a program to completion and fails with its output when it exits non-zero.</summary>
public static class ExternalCommand
{
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
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
            throw new TimeoutException($"{Describe(start)} did not finish within {timeout.TotalSeconds:0}s");
        }
        string output = await stdout + await stderr;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Describe(start)} exited with {process.ExitCode}:\n{output}");
        return output;
    }

    private static string Describe(ProcessStartInfo start) => $"`{start.FileName} {string.Join(' ', start.ArgumentList)}`";
}
