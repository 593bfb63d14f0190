using ActorTrain.DataPlane;
using ActorTrain.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ActorTrain.Cluster.Training;

/// <summary>The model's gradients summed over a ring, in place, through <see cref="FlatChunks"/>. One per replica: its
/// buffer (the size of the gradients, up to <see cref="ChunkLength"/>) is kept from step to step, where allocating it
/// each step put a gradient-sized array on the large-object heap every step (500 MB for gpt2-124m).</summary>
public sealed class GradientBuffer
{
    private float[] buffer = [];

    /// <summary>One chunk for as many gradients as one .NET array holds: the ring sums each element starting from the
    /// rank that owns its slice of the buffer it is given, so cutting the gradients into smaller chunks would change the
    /// order of every sum, and with it the bits a journaled run replays (a resume is bit-identical to the run it
    /// continues). Only a model past that, which no earlier build could train, is cut.</summary>
    public const int ChunkLength = 0x7FFFFFC7; // Array.MaxLength (a property, and a default value must be a constant)

    /// <summary>Replaces every gradient with its sum over the ring. A parameter the step left without a gradient
    /// takes part with zeros (its peers' may have one).</summary>
    public async Task AllReduceAsync(IReadOnlyList<Parameter> parameters, RingAllReduce ring, CancellationToken cancellationToken,
        int chunkLength = ChunkLength)
    {
        var gradients = Gradients(parameters);
        try
        {
            var flat = new FlatChunks(gradients, chunkLength);
            for (int chunk = 0; chunk < flat.Count; chunk++)
            {
                if (buffer.Length != flat.LengthOf(chunk)) buffer = new float[flat.LengthOf(chunk)];
                flat.Read(chunk, buffer);
                await ring.AllReduceAsync(buffer, cancellationToken);
                flat.Write(chunk, buffer);
            }
        }
        finally
        {
            // Each read of a parameter's gradient is a handle of its own; the parameter keeps the gradient itself.
            foreach (var gradient in gradients) gradient.Dispose();
        }
    }

    // Each parameter's gradient, made (zeros) where the backward pass gave none and contiguous where it is a view.
    private static Tensor[] Gradients(IReadOnlyList<Parameter> parameters)
    {
        var gradients = new Tensor[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            var gradient = parameter.grad;
            if (gradient is null)
            {
                gradient = zeros_like(parameter).DetachFromDisposeScope();
                parameter.grad = gradient;
            }
            else if (!gradient.is_contiguous())
            {
                var contiguous = gradient.contiguous().DetachFromDisposeScope();
                gradient.Dispose();
                parameter.grad = contiguous;
                gradient = contiguous;
            }
            gradients[i] = gradient;
        }
        return gradients;
    }
}
