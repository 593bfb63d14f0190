using static TorchSharp.torch;

namespace ActorTrain.Cluster.Training;

/// <summary>The model's gradients as one flat float buffer for the data plane, and back.</summary>
public static class GradientBuffer
{
    public static float[] Flatten(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        var flat = cat([.. parameters.Select(p => (p.grad ?? zeros_like(p)).reshape(-1))]);
        return flat.data<float>().ToArray();
    }

    /// <summary>Writes <paramref name="values"/> (as made by <see cref="Flatten"/>) into the gradients.</summary>
    public static void Restore(IEnumerable<TorchSharp.Modules.Parameter> parameters, float[] values)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        long at = 0;
        foreach (var parameter in parameters)
        {
            long count = parameter.numel();
            var slice = tensor(values.AsSpan((int)at, (int)count).ToArray()).view_as(parameter);
            if (parameter.grad is null) parameter.grad = slice.clone().DetachFromDisposeScope();
            else parameter.grad.copy_(slice);
            at += count;
        }
        if (at != values.Length) throw new ArgumentException($"{values.Length} gradient values for {at} parameters");
    }
}
