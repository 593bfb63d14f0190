using ActorTrain.Model;
using static TorchSharp.torch;

namespace ActorTrain.Cluster.Training;

/// <summary>A replica's parameters and AdamW moments as one flat float buffer (parameters, then first
/// moments, then second moments, each in parameter order): what a healthy peer sends a joining replica.</summary>
public static class ReplicaState
{
    public static long Length(ReplicaTrainer trainer) => 3 * trainer.Model.parameters().Sum(p => p.numel());

    public static float[] Flatten(ReplicaTrainer trainer)
    {
        using var scope = NewDisposeScope();
        var names = trainer.Model.named_parameters().Select(p => p.name).ToArray();
        var parts = trainer.Model.parameters().Select(p => p.detach().reshape(-1))
            .Concat(names.Select(n => trainer.Optimizer.Moments[n].Mean.reshape(-1)))
            .Concat(names.Select(n => trainer.Optimizer.Moments[n].Variance.reshape(-1)));
        return cat([.. parts]).data<float>().ToArray();
    }

    /// <summary>Takes over a buffer made by <see cref="Flatten"/> on a replica at <paramref name="step"/>.</summary>
    public static void Load(ReplicaTrainer trainer, float[] values, long step)
    {
        using var scope = NewDisposeScope();
        var named = trainer.Model.named_parameters().ToArray();
        long count = named.Sum(p => p.parameter.numel());
        if (values.Length != 3 * count) throw new ArgumentException($"replica state of {values.Length} values for {count} parameters (expected {3 * count})");
        var moments = new Dictionary<string, (Tensor, Tensor)>();
        long at = 0;
        Tensor Next(Tensor like)
        {
            var slice = tensor(values.AsSpan((int)at, (int)like.numel()).ToArray()).view_as(like);
            at += like.numel();
            return slice;
        }
        using (var _ = no_grad())
        {
            foreach (var (_, parameter) in named) parameter.copy_(Next(parameter));
        }
        var means = named.Select(p => Next(p.parameter)).ToArray();
        var variances = named.Select(p => Next(p.parameter)).ToArray();
        for (int i = 0; i < named.Length; i++) moments[named[i].name] = (means[i], variances[i]);
        trainer.Optimizer.Load(step, moments);
    }
}
