using ActorTrain.Data.Cloze;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>
/// The training loop of one replica: gradients of a slice of the global batch, in micro-batches
/// (each in its own dispose scope), then clipping and the AdamW update. Split in two so the
/// cluster can all-reduce the gradients in between; <see cref="Step"/> does both for one replica.
/// </summary>
public sealed class ReplicaTrainer : IDisposable
{
    private readonly TrainingBatch batches;

    public ReplicaTrainer(Gpt model, TrainingConfig config, TrainingBatch batches)
    {
        Model = model;
        Config = config;
        this.batches = batches;
        Optimizer = new AdamW(model.named_parameters().Select(p => (p.name, p.parameter)), config.WeightDecay);
    }

    public Gpt Model { get; }

    public TrainingConfig Config { get; }

    public AdamW Optimizer { get; }

    /// <summary>Labelled tokens in these visits (see <see cref="Data.Sampling.SampleVisits"/>; a bare sample index is
    /// its visit in epoch 0): the divisor that makes the loss a mean over the global batch.</summary>
    public long CountLabels(ReadOnlySpan<long> visits)
    {
        using var scope = NewDisposeScope();
        var (_, labels) = batches.Build(visits);
        return labels.ne(ClozeTokens.IgnoredLabel).sum().item<long>();
    }

    /// <summary>Sets the parameters' gradients to those of sum(loss over these visits) / <paramref name="divisor"/>,
    /// micro-batch by micro-batch. Whatever an earlier step left there is cleared first: a cluster replica whose reduced
    /// step was given up (its answer came too late) is asked for that step again without being told to drop it, and
    /// adding to its sums would train on those samples twice.</summary>
    /// <returns>The summed loss and the labelled tokens it covers.</returns>
    public (double LossSum, long Labels) ComputeGradients(ReadOnlySpan<long> visits, long divisor)
    {
        Model.zero_grad();
        double lossSum = 0;
        long labelled = 0;
        using var scalars = new OwnedScalars();
        var scale = scalars.Of(divisor);
        for (int start = 0; start < visits.Length; start += Config.MicroBatch)
        {
            var micro = visits.Slice(start, Math.Min(Config.MicroBatch, visits.Length - start));
            using var scope = NewDisposeScope();
            var (inputs, labels) = batches.Build(micro);
            var logits = Model.Forward(inputs, Config.Objective.IsCausalAttention());
            var loss = nn.functional.cross_entropy(logits.view(-1, logits.size(2)), labels.view(-1), ignore_index: ClozeTokens.IgnoredLabel, reduction: nn.Reduction.Sum);
            loss.div(scale).backward();
            lossSum += loss.item<float>();
            labelled += labels.ne(ClozeTokens.IgnoredLabel).sum().item<long>();
        }
        return (lossSum, labelled);
    }

    /// <summary>Clips the gradients, updates the parameters and clears the gradients.</summary>
    /// <returns>The gradient norm before clipping, and the learning rate used.</returns>
    public (double GradientNorm, double LearningRate) ApplyUpdate()
    {
        double learningRate = Config.Schedule.At(Optimizer.Steps);
        double norm = nn.utils.clip_grad_norm_(Model.parameters(), Config.GradientClip);
        Optimizer.Step(learningRate);
        Model.zero_grad();
        return (norm, learningRate);
    }

    /// <summary>One whole update on one replica.</summary>
    public StepResult Step(long[] visits)
    {
        long step = Optimizer.Steps;
        var (lossSum, labels) = ComputeGradients(visits, Math.Max(1, CountLabels(visits)));
        var (norm, learningRate) = ApplyUpdate();
        return new StepResult(step, lossSum / Math.Max(1, labels), learningRate, norm, (long)visits.Length * batches.Context);
    }

    // The trainer owns its model (every caller builds one for it): parameters and gradients are native memory the GC
    // does not see, so a replica dropped after a failure, or released, would otherwise hold a whole model until finalized.
    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }
}
