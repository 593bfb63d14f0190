using System.Diagnostics;
using System.Globalization;

namespace ActorTrain.Benchmarks;

/// <summary>Runs this benchmark program again with other arguments and reads one number back.</summary>
public static class ChildProcess
{
    public static double RunForNumber(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"benchmark child `{string.Join(' ', args)}` exited with {process.ExitCode}");
        return double.Parse(output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
    }
}
