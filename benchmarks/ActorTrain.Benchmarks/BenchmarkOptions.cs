namespace ActorTrain.Benchmarks;

/// <param name="Quick">Fewer repetitions and only the smaller shapes: a smoke run, not a measurement.</param>
/// <param name="OutputDirectory">Where SUITE.json goes.</param>
public sealed record BenchmarkOptions(bool Quick, string OutputDirectory, int Threads)
{
    public int WarmUps => Quick ? 1 : 2;
    public int Repetitions => Quick ? 3 : 7;

    public static BenchmarkOptions Parse(string[] args)
    {
        bool quick = false;
        string output = Path.Combine("benchmarks", "results");
        int threads = 2;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": quick = true; break;
                case "--output" when i + 1 < args.Length: output = args[++i]; break;
                case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], out int n) && n > 0: threads = n; i++; break;
                default: throw new ArgumentException($"unknown benchmark option '{args[i]}' (expected --quick, --output DIR, --threads N)");
            }
        }
        return new BenchmarkOptions(quick, output, threads);
    }
}
