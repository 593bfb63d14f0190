using ActorTrain.Native;
using ActorTrain.Native.Attention;
using static TorchSharp.torch;

namespace ActorTrain.Benchmarks.Attention;

/// <summary>
/// Fused attention on the CPU, fp32: ours against libtorch's scaled_dot_product_attention and
/// against the unfused matmul-softmax-matmul, forward and forward+backward, same process and
/// thread count. FLOPs: 4 B H T^2 D forward (halved when causal), backward 2.5x forward.
/// </summary>
public static class AttentionCpuSuite
{
    private sealed record Shape(long B, long H, long T, long D, bool Causal)
    {
        public string Name => $"B{B} H{H} T{T} D{D} {(Causal ? "causal" : "full")}";
        public double ForwardFlops => 4.0 * B * H * T * T * D / (Causal ? 2 : 1);
    }

    private static readonly Shape[] Shapes =
    [
        new(4, 8, 1024, 64, true),
        new(4, 8, 1024, 64, false),
        new(8, 8, 256, 64, true),
        new(1, 8, 4096, 64, true),
        new(16, 4, 128, 32, true),
    ];

    private delegate Tensor AttentionFunction(Tensor q, Tensor k, Tensor v, bool causal);

    private static readonly (string Name, AttentionFunction Run)[] Implementations =
    [
        ("ours", (q, k, v, causal) => FusedAttention.Apply(q, k, v, causal)),
        ("sdpa", (q, k, v, causal) => nn.functional.scaled_dot_product_attention(q, k, v, is_casual: causal)),
        ("unfused", Unfused),
    ];

    public static SuiteResult Run(BenchmarkOptions options)
    {
        set_num_threads(options.Threads);
        var rows = new List<ResultRow>();
        var shapes = options.Quick ? Shapes.Where(s => s.T <= 256).ToArray() : Shapes;
        foreach (var shape in shapes)
        {
            Console.Error.WriteLine($"attention-cpu: {shape.Name} ...");
            using var scope = NewDisposeScope();
            var generator = new TorchSharp.torch.Generator(42);
            var q = randn(shape.B, shape.H, shape.T, shape.D, generator: generator);
            var k = randn(shape.B, shape.H, shape.T, shape.D, generator: generator);
            var v = randn(shape.B, shape.H, shape.T, shape.D, generator: generator);
            var dOut = randn(shape.B, shape.H, shape.T, shape.D, generator: generator);

            var forward = Measure.MedianMilliseconds(options.WarmUps, options.Repetitions,
                Implementations.Select(i => (Action)(() => Forward(i.Run, q, k, v, shape.Causal))).ToArray());
            var both = Measure.MedianMilliseconds(options.WarmUps, options.Repetitions,
                Implementations.Select(i => (Action)(() => ForwardBackward(i.Run, q, k, v, dOut, shape.Causal))).ToArray());
            var memory = Implementations.Select(i => PeakExtraInFreshProcess(shape, i.Name, options.Threads)).ToArray();

            for (int baseline = 1; baseline < Implementations.Length; baseline++)
            {
                rows.Add(Row($"fwd {shape.Name}", forward, baseline, shape.ForwardFlops, null));
                rows.Add(Row($"fwd+bwd {shape.Name}", both, baseline, 3.5 * shape.ForwardFlops, memory));
            }
        }
        return new SuiteResult("attention-cpu", Measure.Machine(options.Threads) with { Cpu = $"{Measure.Machine(options.Threads).Cpu} ({ActorTrainNative.NameOf(ActorTrainNative.ActiveIsa)} kernels)" }, options.Quick, rows);
    }

    /// <summary>Peak memory one forward+backward adds, measured in a child process of its own:
    /// in this one, allocators and our grow-only scratch would already hold memory from earlier runs.</summary>
    private static double PeakExtraInFreshProcess(Shape shape, string implementation, int threads) =>
        ChildProcess.RunForNumber("attention-memory", $"{shape.B}", $"{shape.H}", $"{shape.T}", $"{shape.D}",
            shape.Causal ? "causal" : "full", implementation, $"{threads}");

    /// <summary>The child side: args B H T D causal|full implementation threads; prints MiB.</summary>
    public static double MeasureMemory(string[] args)
    {
        var shape = new Shape(long.Parse(args[0]), long.Parse(args[1]), long.Parse(args[2]), long.Parse(args[3]), args[4] == "causal");
        var implementation = Implementations.Single(i => i.Name == args[5]).Run;
        set_num_threads(int.Parse(args[6]));
        // One pass on a few tokens first: the JIT and libtorch's first-use set-up are not the shape's cost, while the
        // kernels' scratch, sized for those few tokens, still has to grow to the shape in the measured pass.
        // A head per thread: one work item would run on the caller alone, and the worker threads would still start in
        // the measured pass.
        var small = randn(1, int.Parse(args[6]), Math.Min(shape.T, 8), shape.D);
        ForwardBackward(implementation, small, small, small, small, shape.Causal);
        var q = randn(shape.B, shape.H, shape.T, shape.D);
        var k = randn(shape.B, shape.H, shape.T, shape.D);
        var v = randn(shape.B, shape.H, shape.T, shape.D);
        var dOut = randn(shape.B, shape.H, shape.T, shape.D);
        return Measure.PeakExtraMegabytes(() => ForwardBackward(implementation, q, k, v, dOut, shape.Causal));
    }

    private static ResultRow Row(string name, double[] milliseconds, int baseline, double flops, double[]? memory) => new(
        name,
        Ours: Math.Round(milliseconds[0], 3),
        Baseline: Math.Round(milliseconds[baseline], 3),
        BaselineName: Implementations[baseline].Name,
        Unit: "ms",
        Speedup: Math.Round(milliseconds[baseline] / milliseconds[0], 3),
        OursGflops: Math.Round(flops / milliseconds[0] / 1e6, 1),
        BaselineGflops: Math.Round(flops / milliseconds[baseline] / 1e6, 1),
        OursPeakExtraMb: memory is null ? null : Math.Round(memory[0], 1),
        BaselinePeakExtraMb: memory is null ? null : Math.Round(memory[baseline], 1));

    private static void Forward(AttentionFunction attention, Tensor q, Tensor k, Tensor v, bool causal)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        attention(q, k, v, causal);
    }

    private static void ForwardBackward(AttentionFunction attention, Tensor q, Tensor k, Tensor v, Tensor dOut, bool causal)
    {
        using var scope = NewDisposeScope();
        var (qg, kg, vg) = (q.detach().requires_grad_(), k.detach().requires_grad_(), v.detach().requires_grad_());
        attention(qg, kg, vg, causal).backward([dOut]);
    }

    // softmax(q k^T / sqrt(D) + mask) v as three separate operations: what attention costs unfused.
    private static Tensor Unfused(Tensor q, Tensor k, Tensor v, bool causal)
    {
        var scores = matmul(q, k.transpose(-2, -1)) / Math.Sqrt(q.shape[3]);   // (B, H, T, T)
        if (causal)
        {
            var future = ones(q.shape[2], k.shape[2], dtype: ScalarType.Bool).triu(1);
            scores = scores.masked_fill(future, float.NegativeInfinity);
        }
        return matmul(softmax(scores, -1), v);
    }
}
