using ActorTrain.Benchmarks;
using ActorTrain.Benchmarks.Attention;
using ActorTrain.Benchmarks.Cleaning;
using ActorTrain.Benchmarks.DataPlane;
using ActorTrain.Benchmarks.Tokenizer;
using ActorTrain.Benchmarks.Training;

// benchmarks/run SUITE [--quick] --output DIR
var suites = new Dictionary<string, Func<BenchmarkOptions, SuiteResult>>
{
    ["attention-cpu"] = AttentionCpuSuite.Run,
    ["cleaning"] = options => CleaningSuite.RunAsync(options).GetAwaiter().GetResult(),
    ["tokenizer"] = TokenizerSuite.Run,
    ["training"] = TrainingSuite.Run,
    ["data-plane"] = DataPlaneSuite.Run,
};

if (args.Length > 0 && args[0] == "chaos") return await ActorTrain.Benchmarks.Chaos.ChaosSuite.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "attention-memory")
{
    Console.WriteLine(AttentionCpuSuite.MeasureMemory(args[1..]).ToString(System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}
if (args.Length > 0 && args[0] == "training-memory")
{
    Console.WriteLine(TrainingSuite.MeasureMemory(args[1..]).ToString(System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}
if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: benchmarks/run SUITE [--quick]   (suites: {string.Join(", ", suites.Keys)}, chaos [--minutes N] [--seed S])");
    return 2;
}
var options = BenchmarkOptions.Parse(args[1..]);
var result = suite(options);
ResultTable.Print(result);
string path = ResultJson.Write(result, options.OutputDirectory);
Console.WriteLine($"wrote {path}");
return 0;
