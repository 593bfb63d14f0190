using System.Diagnostics;

namespace ActorTrain.Benchmarks;

/// <summary>Timing and memory measurement shared by the suites.</summary>
public static partial class Measure
{
    private static partial class LibC
    {
        [System.Runtime.InteropServices.LibraryImport("libc")]
        public static partial int malloc_trim(nuint pad);
    }

    /// <summary>Median wall time in milliseconds of each action, after warm-up. The actions are
    /// interleaved (a, b, c, a, b, c, ...) so drift of a noisy shared machine hits all alike.</summary>
    public static double[] MedianMilliseconds(int warmUps, int repetitions, params Action[] actions)
    {
        for (int w = 0; w < warmUps; w++)
            foreach (var action in actions) action();
        var samples = actions.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < repetitions; r++)
        {
            for (int a = 0; a < actions.Length; a++)
            {
                long start = Stopwatch.GetTimestamp();
                actions[a]();
                samples[a].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        return samples.Select(Median).ToArray();
    }

    /// <summary>Median wall time in milliseconds of each action when it runs on fresh state: every repetition first
    /// calls each preparer (untimed) for the action to time, so no cache one pass fills is there for the next. Interleaved
    /// as <see cref="MedianMilliseconds"/>.</summary>
    public static double[] MedianMillisecondsFresh(int repetitions, params Func<Action>[] prepare)
    {
        var samples = prepare.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < repetitions; r++)
        {
            for (int a = 0; a < prepare.Length; a++)
            {
                var action = prepare[a]();
                long start = Stopwatch.GetTimestamp();
                action();
                samples[a].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        return samples.Select(Median).ToArray();
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Peak resident memory the action adds, in MiB: the kernel's high-water mark is reset
    /// (clear_refs 5) before the action and read (VmHWM) after it.</summary>
    public static double PeakExtraMegabytes(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        LibC.malloc_trim(0); // hand freed heap back, so reuse of it cannot hide a peak
        File.WriteAllText("/proc/self/clear_refs", "5");
        long before = StatusKilobytes("VmRSS");
        action();
        long peak = StatusKilobytes("VmHWM");
        return Math.Max(0, peak - before) / 1024.0;
    }

    private static long StatusKilobytes(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }

    public static MachineInfo Machine(int threads)
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        return new MachineInfo(cpu, Environment.ProcessorCount, threads, DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), Commit());
    }

    // Which code a result file describes: without it a result outlives the code it measured, unnoticed. The results
    // themselves do not make the tree dirty: each run rewrites one.
    private static string? Commit()
    {
        try
        {
            string head = ActorTrain.Processes.ExternalCommand.RunAsync("git", ["rev-parse", "--short=12", "HEAD"], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult().Trim();
            bool dirty = ActorTrain.Processes.ExternalCommand.RunAsync("git", ["status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/results"], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult().Trim().Length > 0;
            return dirty ? head + "+dirty" : head;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            return null; // not a checkout, or no git
        }
    }
}
