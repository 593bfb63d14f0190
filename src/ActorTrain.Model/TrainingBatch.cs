using ActorTrain.Data.Cloze;
using ActorTrain.Data.Sampling;
using ActorTrain.Data.Tokens;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>
/// Turns samples (windows of Context + 1 tokens) into model inputs and labels for an objective.
/// Labels are <see cref="ClozeTokens.IgnoredLabel"/> where no loss is taken. A pure function of the
/// visits (<see cref="SampleVisits"/>: samples with their epochs) and the run's random streams, so any replica builds the
/// same batch for the same visits. The cloze objectives key their masks by the visit where the streams say masks change
/// each epoch, by the sample otherwise.
/// </summary>
public sealed class TrainingBatch(TokenSamples samples, Objective objective, ClozeTokens cloze, int padding, RandomStreams streams)
{
    public int Context => samples.SequenceLength;

    /// <summary>(inputs, labels), both (visits.Length, Context) Int64. A bare sample index is its visit in epoch 0.</summary>
    public (Tensor Inputs, Tensor Labels) Build(ReadOnlySpan<long> visits)
    {
        int t = Context;
        var inputs = new long[visits.Length * t];
        var labels = new long[visits.Length * t];
        var window = new int[t + 1];
        var maskedInputs = new int[t];
        var maskedLabels = new int[t];
        for (int b = 0; b < visits.Length; b++)
        {
            long sample = SampleVisits.SampleOf(visits[b], samples.Count);
            long maskKey = streams.MasksChangeEachEpoch ? visits[b] : sample;
            samples.Read(sample, window);
            var rowInputs = inputs.AsSpan(b * t, t);
            var rowLabels = labels.AsSpan(b * t, t);
            switch (objective)
            {
                case Objective.Causal:
                    for (int i = 0; i < t; i++) (rowInputs[i], rowLabels[i]) = (window[i], window[i + 1]);
                    break;
                case Objective.Mlm:
                    MaskedTokens.Build(window.AsSpan(0, t), cloze, streams, maskKey, maskedInputs, maskedLabels);
                    for (int i = 0; i < t; i++) (rowInputs[i], rowLabels[i]) = (maskedInputs[i], maskedLabels[i]);
                    break;
                default:
                    BuildSpanRow(window, maskKey, rowInputs, rowLabels);
                    break;
            }
        }
        return (tensor(inputs, [visits.Length, t]), tensor(labels, [visits.Length, t]));
    }

    // corrupted ++ targets, shifted by one for next-token prediction, loss on the targets only, padded to the context.
    private void BuildSpanRow(int[] window, long maskKey, Span<long> inputs, Span<long> labels)
    {
        int t = Context;
        // Corrupting L tokens gives about 0.85 L + s inputs and 0.15 L + s + 1 targets with s ≈ 0.05 L spans: keep L + 2s + 1 within t.
        int length = Math.Max(2, (int)((t - 2) / 1.14));
        var (corrupted, targets) = SpanCorruption.Build(window.AsSpan(0, length), cloze, streams, maskKey);
        var sequence = corrupted.Concat(targets).Take(t + 1).ToArray();
        for (int i = 0; i < t; i++)
        {
            bool inside = i + 1 < sequence.Length;
            inputs[i] = i < sequence.Length ? sequence[i] : padding;
            labels[i] = inside && i + 1 >= corrupted.Length ? sequence[i + 1] : ClozeTokens.IgnoredLabel;
        }
    }
}
