using ActorTrain.Native.Attention;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Native.Tests;

/// <summary>
/// Resident memory over many forward+backward steps in dispose scopes. TorchSharp 0.107's custom
/// autograd functions themselves keep a few KB per call (a do-nothing function shows the same, and
/// built-in ops do not), so ours is held against that baseline: it may add nothing of its own.
/// Alone in its collection: other tests allocating in parallel would move the process's RSS.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class FusedAttentionMemoryTests
{
    private const int Steps = 600;
    private readonly Tensor q = randn(4, 4, 128, 64);

    [Fact]
    public void Resident_memory_grows_no_more_than_with_a_do_nothing_autograd_function()
    {
        // Each step allocates ~2 MiB of tensors (out, lse, saved views, three gradients): leaking any
        // of them would cost over a GiB here.
        void Ours()
        {
            using var scope = NewDisposeScope();
            var a = q.detach().requires_grad_();
            FusedAttention.Apply(a, a, a, causal: true).sum().backward();
        }
        void DoNothing()
        {
            using var scope = NewDisposeScope();
            var a = q.detach().requires_grad_();
            PassThrough.apply(a)[0].sum().backward();
        }

        long ours = Growth(Ours), baseline = Growth(DoNothing);

        Assert.True(ours < baseline + 8 * 1024,
            $"resident memory grew by {ours / 1024} MiB over {Steps} steps; a do-nothing custom function grows {baseline / 1024} MiB");
        Assert.True(ours < 32 * 1024, $"resident memory grew by {ours / 1024} MiB over {Steps} steps");
    }

    [Fact]
    public void Resident_memory_stays_flat_without_autograd()
    {
        long grown = Growth(() =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            FusedAttention.Apply(q, q, q, causal: true);
        });
        Assert.True(grown < 8 * 1024, $"resident memory grew by {grown / 1024} MiB over {Steps} inference steps");
    }

    [Fact]
    public void Scratch_memory_follows_the_calls_at_once_not_the_threads_that_ever_called()
    {
        // Callers are .NET pool threads, which change from call to call and live on: 24 threads, each alive to the end,
        // call one after another. Kept per thread, the kernels' scratch would grow by a buffer (or an OpenMP team's
        // worth) per caller; lent per use, it stays at what one call uses at once.
        const int callers = 24;
        using var scope = NewDisposeScope();
        var input = randn(1, 2, 256, 64);
        void Step()
        {
            using var inner = NewDisposeScope();
            var a = input.detach().requires_grad_();
            FusedAttention.Apply(a, a, a, causal: true).sum().backward();
        }
        Step();
        long before = ActorTrainNative.AttentionScratchBuffers;
        using var release = new ManualResetEventSlim();
        var threads = new List<Thread>();
        try
        {
            for (int i = 0; i < callers; i++)
            {
                using var called = new ManualResetEventSlim();
                Exception? failure = null;
                var thread = new Thread(() =>
                {
                    try
                    {
                        Step();
                    }
                    catch (Exception e)
                    {
                        failure = e;
                    }
                    called.Set();
                    release.Wait(); // alive, as a pool thread is, while the others call
                });
                threads.Add(thread);
                thread.Start();
                called.Wait();
                if (failure is not null) throw failure;
            }
            long after = ActorTrainNative.AttentionScratchBuffers;
            Assert.True(after - before <= 2 * Environment.ProcessorCount + 2,
                $"{callers} threads calling one after another left {after - before} more scratch buffers ({before} before)");
        }
        finally
        {
            release.Set();
            foreach (var thread in threads) thread.Join();
        }
    }

    // The smaller growth of two consecutive stretches of Steps: a leak grows in both, while a one-off
    // (the allocator taking a new arena when another test thread allocates) shows in one at most.
    private static long Growth(Action step)
    {
        for (int i = 0; i < 100; i++) step();
        long settled = ResidentKilobytes();
        for (int i = 0; i < Steps; i++) step();
        long middle = ResidentKilobytes();
        for (int i = 0; i < Steps; i++) step();
        return Math.Min(middle - settled, ResidentKilobytes() - middle);
    }

    private static long ResidentKilobytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
    }

    private sealed class PassThrough : autograd.MultiTensorFunction<PassThrough>
    {
        public override string Name => "PassThrough";

        public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars) => [((Tensor)vars[0]).clone()];

        public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> gradients) => [gradients[0]];
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "resident memory";
}
