namespace ActorTrain.Benchmarks;

/// <summary>One comparison: our time and the reference's, measured in the same run.</summary>
/// <param name="Speedup">Baseline time / our time (median of the repetitions).</param>
public sealed record ResultRow(
    string Name,
    double Ours,
    double Baseline,
    string BaselineName,
    string Unit,
    double Speedup,
    double? OursGflops = null,
    double? BaselineGflops = null,
    double? OursPeakExtraMb = null,
    double? BaselinePeakExtraMb = null);

/// <param name="Commit">The commit measured, "+dirty" when the working tree had changes; null outside a git checkout.</param>
public sealed record MachineInfo(string Cpu, int Cores, int Threads, string Date, string? Commit = null);

/// <param name="Details">Suite-specific measurements that have no baseline (shares, rates).</param>
public sealed record SuiteResult(string Suite, MachineInfo Machine, bool Quick, IReadOnlyList<ResultRow> Rows, IReadOnlyDictionary<string, double>? Details = null);
