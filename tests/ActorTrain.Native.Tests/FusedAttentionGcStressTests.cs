using ActorTrain.Native.Attention;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Native.Tests;

/// <summary>
/// Forward and backward while the GC compacts the heap all the time. TorchSharp 0.107's custom autograd
/// function passes the tensors marked non-differentiable to native code in a managed array it has already
/// unpinned (it pins the "dirty" list into the same holder), so a compaction at the wrong moment sends it
/// a garbage pointer: a trainer node died of it (SIGSEGV in THSAutograd_Function_wrapOutputs) in a chaos
/// test. Our function marks nothing non-differentiable; this keeps it so.
/// </summary>
[Collection(MemoryCollection.Name)]
public sealed class FusedAttentionGcStressTests
{
    [Fact]
    public void Forward_and_backward_survive_a_compacting_GC_running_alongside()
    {
        var q = randn(2, 2, 16, 8);
        using var stop = new CancellationTokenSource();
        var compactor = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var garbage = new object[256];
                for (int i = 0; i < garbage.Length; i++) garbage[i] = new byte[64];
                GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: true); // the array at stake is young: moving gen 0 is enough
            }
        });
        compactor.Start();
        try
        {
            // The old function crashed within ~800 steps (~20 s) here. Under other test assemblies running alongside a
            // step took far longer (a CI run spent 9 min on 1500), so the test stops at a time limit, but never before
            // 300 steps: a loaded machine must not turn it into a test of a few steps that checks nothing.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int step = 0; step < 1_500 && (step < 300 || clock.Elapsed < TimeSpan.FromSeconds(30)); step++)
            {
                using var scope = NewDisposeScope();
                var a = q.detach().requires_grad_();
                FusedAttention.Apply(a, a, a, causal: true).sum().backward();
                Assert.False(a.grad is null);
            }
        }
        finally
        {
            stop.Cancel();
            compactor.Join();
        }
    }
}
