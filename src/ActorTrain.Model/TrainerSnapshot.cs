using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>
/// A copy of a replica's parameters and AdamW moments at one step, taken between steps in the time
/// of a memory copy, so a checkpoint can be written from it in the background while the replica
/// trains on. Owns its tensors.
/// </summary>
public sealed class TrainerSnapshot : IDisposable
{
    private TrainerSnapshot(long steps, ModelConfig model, TrainingConfig training,
        IReadOnlyList<(string Name, Tensor Value)> parameters, IReadOnlyList<(string Name, Tensor Value)> moments)
    {
        Steps = steps;
        Model = model;
        Training = training;
        Parameters = parameters;
        Moments = moments;
    }

    public long Steps { get; }

    public ModelConfig Model { get; }

    public TrainingConfig Training { get; }

    /// <summary>Parameters by checkpoint name (the module's).</summary>
    public IReadOnlyList<(string Name, Tensor Value)> Parameters { get; }

    /// <summary>"{parameter}.exp_avg" and "{parameter}.exp_avg_sq" per parameter: PyTorch's names for AdamW's moments.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> Moments { get; }

    public static TrainerSnapshot Take(ReplicaTrainer trainer)
    {
        using var _ = no_grad();
        var parameters = trainer.Model.named_parameters().Select(p => (p.name, p.parameter.detach().clone())).ToArray();
        var moments = trainer.Optimizer.Moments
            .SelectMany(m => new[] { ($"{m.Key}.exp_avg", m.Value.Mean.clone()), ($"{m.Key}.exp_avg_sq", m.Value.Variance.clone()) })
            .ToArray();
        return new TrainerSnapshot(trainer.Optimizer.Steps, trainer.Model.Config, trainer.Config, parameters, moments);
    }

    public void Dispose()
    {
        foreach (var (_, value) in Parameters.Concat(Moments)) value.Dispose();
    }
}
