using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>A verified checkpoint in memory, ready to be put into a model and its optimizer.</summary>
public sealed record LoadedCheckpoint(string Directory, CheckpointMetadata Metadata, Dictionary<string, Tensor> Parameters, Dictionary<string, Tensor> Moments) : IDisposable
{
    /// <summary>Copies the parameters and optimizer state into <paramref name="trainer"/>.</summary>
    /// <exception cref="InvalidDataException">The checkpoint's architecture or parameters differ from the trainer's model.</exception>
    public void Restore(ReplicaTrainer trainer)
    {
        RestoreModel(trainer.Model);
        var state = Moments.Keys.Where(k => k.EndsWith(".exp_avg", StringComparison.Ordinal)).Select(k => k[..^".exp_avg".Length])
            .ToDictionary(name => name, name => (Moments[name + ".exp_avg"], Moments[name + ".exp_avg_sq"]));
        try
        {
            trainer.Optimizer.Load(Metadata.Step, state);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{Directory}: {e.Message}", e);
        }
    }

    /// <summary>Copies the parameters into <paramref name="model"/> (for generation: no optimizer needed).</summary>
    /// <exception cref="InvalidDataException">The checkpoint's architecture or parameters differ from the model.</exception>
    public void RestoreModel(Gpt model)
    {
        var expected = model.Config with { Attention = Metadata.Model.Attention };
        if (expected != Metadata.Model)
            throw new InvalidDataException($"{Directory}: checkpoint is {Metadata.Model.Architecture}, the model {model.Config.Architecture}");
        using (var _ = no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (!Parameters.TryGetValue(name, out var saved)) throw new InvalidDataException($"{Directory}: no parameter {name}");
                if (saved.numel() != parameter.numel()) throw new InvalidDataException($"{Directory}: {name} has {saved.numel()} values, the model {parameter.numel()}");
                parameter.copy_(saved.view_as(parameter));
            }
        }
    }

    public void Dispose()
    {
        foreach (var tensor in Parameters.Values.Concat(Moments.Values)) tensor.Dispose();
    }
}
