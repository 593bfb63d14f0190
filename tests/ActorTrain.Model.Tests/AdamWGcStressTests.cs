using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Model.Tests;

/// <summary>
/// AdamW steps while another thread collects and finalizes all the time. A double passed to a TorchSharp tensor
/// operation becomes a finalizable Scalar that nothing references once its handle is read; finalized during the
/// native call, libtorch reads freed memory: a demo's trainer replica failed at step 1 with "Unknown scalar type"
/// in AdamW's division. AdamW passes scalars it holds (OwnedScalars); this keeps it so, and checks the values too.
/// </summary>
[Collection(Name)]
public sealed class AdamWGcStressTests
{
    // Alone: the collector would expose the implicit scalars inside TorchSharp that other tests' models go through.
    public const string Name = "constant collection";

    [Fact]
    public void Steps_under_constant_collection_give_the_parameters_of_undisturbed_steps()
    {
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        collector.Start();
        (int Steps, float[] Parameters) stressed;
        try
        {
            // Under other test assemblies a step can take far longer: stop at a time limit, compare as far as it got,
            // but not before 200 steps, so that a loaded machine cannot reduce it to a few.
            stressed = Train(1_000, TimeSpan.FromSeconds(20), atLeast: 200);
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
        Assert.InRange(stressed.Steps, 200, 1_000);
        Assert.Equal(Train(stressed.Steps, TimeSpan.MaxValue, atLeast: stressed.Steps).Parameters, stressed.Parameters);
    }

    // Parameters after steps on fixed gradients: many small parameters, so that many scalars are in flight. The setup
    // holds its own temporaries as well (a scope, scalars it owns): a tensor or scalar made inline and handed to libtorch
    // is exposed to the collector running alongside too.
    private static (int Steps, float[] Parameters) Train(int steps, TimeSpan limit, int atLeast)
    {
        using var scope = NewDisposeScope();
        using Scalar one = 1f.ToScalar(), half = 0.5f.ToScalar();
        var named = Enumerable.Range(0, 16).Select(i => ($"p{i}", new TorchSharp.Modules.Parameter(full(64, 64, one)))).ToArray();
        using var optimizer = new AdamW(named, weightDecay: 0.1);
        using (no_grad())
        {
            foreach (var (_, parameter) in named) parameter.grad = full(64, 64, half);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int done = 0;
        for (; done < steps && (done < atLeast || clock.Elapsed < limit); done++) optimizer.Step(1e-3);
        return (done, [.. named.SelectMany(p => p.Item2.data<float>().ToArray())]);
    }
}

[CollectionDefinition(AdamWGcStressTests.Name, DisableParallelization = true)]
public sealed class ConstantCollection;
