namespace ActorTrain.Benchmarks;

public static class ResultTable
{
    public static void Print(SuiteResult result)
    {
        Console.WriteLine($"{result.Suite} on {result.Machine.Cpu}, {result.Machine.Threads} threads of {result.Machine.Cores} cores, {result.Machine.Date}{(result.Quick ? " (quick: not a measurement)" : "")}");
        Console.WriteLine($"{"case",-44} {"ours",10} {"baseline",10} {"vs",-9} {"speedup",8} {"GFLOP/s",15} {"peak MiB",15}");
        foreach (var row in result.Rows)
        {
            string gflops = row.OursGflops is null ? "" : $"{row.OursGflops,6:0.0} / {row.BaselineGflops,6:0.0}";
            string memory = row.OursPeakExtraMb is null ? "" : $"{row.OursPeakExtraMb,6:0} / {row.BaselinePeakExtraMb,6:0}";
            Console.WriteLine($"{row.Name,-44} {row.Ours,8:0.00}{row.Unit} {row.Baseline,8:0.00}{row.Unit} {row.BaselineName,-9} {row.Speedup,7:0.00}x {gflops,15} {memory,15}");
        }
        foreach (var (name, value) in result.Details ?? new Dictionary<string, double>())
            Console.WriteLine($"{name,-44} {value,12:0.###}");
    }
}
