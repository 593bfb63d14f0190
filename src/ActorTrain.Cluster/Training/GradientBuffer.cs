using ActorTrain.DataPlane;
using ActorTrain.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ActorTrain.Cluster.Training;

/// <summary>The model's gradients summed over a ring, in place, a chunk of <see cref="FlatChunks"/> at a time.</summary>
public static class GradientBuffer
{
    /// <summary>Replaces every gradient with its sum over the ring. A parameter the step left without a gradient
    /// takes part with zeros (its peers' may have one).</summary>
    public static async Task AllReduceAsync(IReadOnlyList<Parameter> parameters, RingAllReduce ring, CancellationToken cancellationToken,
        int chunkLength = FlatChunks.DefaultChunkLength)
    {
        var flat = new FlatChunks(Gradients(parameters), chunkLength);
        float[] buffer = [];
        for (int chunk = 0; chunk < flat.Count; chunk++)
        {
            if (buffer.Length != flat.LengthOf(chunk)) buffer = new float[flat.LengthOf(chunk)];
            flat.Read(chunk, buffer);
            await ring.AllReduceAsync(buffer, cancellationToken);
            flat.Write(chunk, buffer);
        }
    }

    // Each parameter's gradient, made (zeros) where the backward pass gave none and contiguous where it is a view.
    private static IEnumerable<Tensor> Gradients(IReadOnlyList<Parameter> parameters)
    {
        foreach (var parameter in parameters)
        {
            if (parameter.grad is null) parameter.grad = zeros_like(parameter).DetachFromDisposeScope();
            else if (!parameter.grad.is_contiguous()) parameter.grad = parameter.grad.contiguous().DetachFromDisposeScope();
            yield return parameter.grad;
        }
    }
}
