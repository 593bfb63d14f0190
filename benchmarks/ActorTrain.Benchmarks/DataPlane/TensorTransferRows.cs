using ActorTrain.Cluster.Training;
using ActorTrain.Model;
using static TorchSharp.torch;

namespace ActorTrain.Benchmarks.DataPlane;

/// <summary>
/// A step's gradients out of their tensors into the ring's buffer and back, as the trainer moves them around an
/// all-reduce: ours through the tensors' own memory (<see cref="FlatChunks"/>, in the trainer's chunks: one buffer while
/// the gradients fit a .NET array, see <see cref="GradientBuffer.ChunkLength"/>); the baseline
/// the way libtorch offers, one concatenated copy made into an array, then a tensor per parameter copied back (what the
/// trainer did before the chunks). The network is left out: both sides of a ring move the same bytes.
/// </summary>
public static class TensorTransferRows
{
    public static IEnumerable<ResultRow> Measure(BenchmarkOptions options)
    {
        foreach (var (preset, vocabulary) in new[] { ("small", 4096), ("gpt2-124m", 50257) })
        {
            using var scope = NewDisposeScope();
            using var model = new Gpt(ModelConfig.Preset(preset, vocabulary), seed: 1);
            var parameters = model.parameters().ToArray();
            using (no_grad())
            {
                foreach (var parameter in parameters) parameter.grad = randn_like(parameter).DetachFromDisposeScope();
            }
            var gradients = parameters.Select(p => p.grad!).ToArray();
            long floats = gradients.Sum(g => g.numel());
            var times = Benchmarks.Measure.MedianMilliseconds(options.WarmUps, options.Repetitions, () => Chunked(gradients), () => Concatenated(gradients));
            double megabytes = floats * sizeof(float) / 1e6;
            yield return new ResultRow($"gradients out and back, {preset} ({floats / 1e6:0.#}M params)", Math.Round(megabytes / (times[0] / 1000), 1),
                Math.Round(megabytes / (times[1] / 1000), 1), "libtorch cat + copy back", "MB/s", Math.Round(times[1] / times[0], 3));
        }
    }

    private static void Chunked(Tensor[] gradients)
    {
        var flat = new FlatChunks(gradients, GradientBuffer.ChunkLength);
        float[] buffer = [];
        for (int chunk = 0; chunk < flat.Count; chunk++)
        {
            if (buffer.Length != flat.LengthOf(chunk)) buffer = new float[flat.LengthOf(chunk)];
            flat.Read(chunk, buffer);
            flat.Write(chunk, buffer);
        }
    }

    private static void Concatenated(Tensor[] gradients)
    {
        using var scope = NewDisposeScope();
        float[] values = cat([.. gradients.Select(g => g.reshape(-1))]).data<float>().ToArray();
        long at = 0;
        foreach (var gradient in gradients)
        {
            long count = gradient.numel();
            gradient.copy_(tensor(values.AsSpan((int)at, (int)count).ToArray()).view_as(gradient));
            at += count;
        }
    }
}
