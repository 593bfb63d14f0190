using ActorTrain.Data.Cloze;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>Validation loss (nats per labelled token), perplexity, bits per byte of text, and for
/// the cloze objectives the accuracy at the masked positions.</summary>
public sealed record EvaluationResult(double Loss, double Perplexity, double BitsPerByte, double? MaskedAccuracy, long Labels)
{
    /// <param name="tokensPerByte">Tokens per byte of text in the evaluated split (from the dataset index).</param>
    public static EvaluationResult Measure(Gpt model, TrainingBatch batches, Objective objective, IReadOnlyList<long> samples, int microBatch, double tokensPerByte)
    {
        using var _ = no_grad();
        double lossSum = 0;
        long labelled = 0, correct = 0;
        for (int start = 0; start < samples.Count; start += microBatch)
        {
            using var scope = NewDisposeScope();
            var micro = samples.Skip(start).Take(microBatch).ToArray();
            var (inputs, labels) = batches.Build(micro);
            var logits = model.Forward(inputs, objective.IsCausalAttention());
            var flatLabels = labels.view(-1);
            var flatLogits = logits.view(-1, logits.size(2));
            lossSum += nn.functional.cross_entropy(flatLogits, flatLabels, ignore_index: ClozeTokens.IgnoredLabel, reduction: nn.Reduction.Sum).item<float>();
            var counted = flatLabels.ne(ClozeTokens.IgnoredLabel);
            labelled += counted.sum().item<long>();
            correct += flatLogits.argmax(1).eq(flatLabels).logical_and(counted).sum().item<long>();
        }
        double loss = lossSum / Math.Max(1, labelled);
        return new EvaluationResult(loss, Math.Exp(loss), loss / Math.Log(2) * tokensPerByte,
            objective.IsCloze() ? (double)correct / Math.Max(1, labelled) : null, labelled);
    }
}
