using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>A verified checkpoint in memory, ready to be put into a model and its optimizer.</summary>
public sealed record LoadedCheckpoint(string Directory, CheckpointMetadata Metadata, Dictionary<string, Tensor> Parameters, Dictionary<string, Tensor> Moments) : IDisposable
{
    /// <summary>Copies the parameters and optimizer state into <paramref name="trainer"/>: all of them, or (throwing) none.
    /// Everything is checked before anything is copied; a checkpoint refused halfway would leave a replica with some of
    /// its values and the step count it had.</summary>
    /// <exception cref="InvalidDataException">The checkpoint's architecture, parameters or optimizer state differ from the trainer's.</exception>
    public void Restore(ReplicaTrainer trainer)
    {
        var state = Moments.Keys.Where(k => k.EndsWith(".exp_avg", StringComparison.Ordinal)).Select(k => k[..^".exp_avg".Length])
            .ToDictionary(name => name, name => (Moments[name + ".exp_avg"],
                Moments.GetValueOrDefault(name + ".exp_avg_sq") ?? throw new InvalidDataException($"{Directory}: no optimizer state {name}.exp_avg_sq")));
        Check(trainer.Model);
        try
        {
            trainer.Optimizer.Check(state);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{Directory}: {e.Message}", e);
        }
        CopyInto(trainer.Model);
        trainer.Optimizer.Load(Metadata.Step, state);
    }

    /// <summary>Copies the parameters into <paramref name="model"/> (for generation: no optimizer needed): all, or none.</summary>
    /// <exception cref="InvalidDataException">The checkpoint's architecture or parameters differ from the model.</exception>
    public void RestoreModel(Gpt model)
    {
        Check(model);
        CopyInto(model);
    }

    private void Check(Gpt model)
    {
        var expected = model.Config with { Attention = Metadata.Model.Attention };
        if (expected != Metadata.Model)
            throw new InvalidDataException($"{Directory}: checkpoint is {Metadata.Model.Architecture}, the model {model.Config.Architecture}");
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!Parameters.TryGetValue(name, out var saved)) throw new InvalidDataException($"{Directory}: no parameter {name}");
            if (saved.numel() != parameter.numel()) throw new InvalidDataException($"{Directory}: {name} has {saved.numel()} values, the model {parameter.numel()}");
        }
    }

    private void CopyInto(Gpt model)
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in model.named_parameters()) parameter.copy_(Parameters[name].view_as(parameter));
    }

    public void Dispose()
    {
        foreach (var tensor in Parameters.Values.Concat(Moments.Values)) tensor.Dispose();
    }
}
