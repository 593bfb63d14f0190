using ActorTrain.Data.Sampling;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>
/// Generation from a trained model. Causal models continue a prompt, sampling each token from the
/// temperature-scaled top-k distribution with our seeded generator (same seed, same text); cloze
/// models fill every mask of a text with their most likely token.
/// </summary>
public static class TextGenerator
{
    /// <returns>The new tokens (without the prompt), stopping early at <paramref name="stopToken"/>.</returns>
    public static int[] Continue(Gpt model, IReadOnlyList<int> prompt, int maxTokens, double temperature, int topK, ulong seed, int? stopToken = null)
    {
        if (prompt.Count == 0) throw new ArgumentException("the prompt has no tokens");
        if (temperature < 0) throw new ArgumentOutOfRangeException(nameof(temperature), $"temperature {temperature} is negative");
        using var _ = no_grad();
        var random = SplitMix64.ForMixedKeys(seed, 0x47454E);
        var tokens = new List<int>(prompt);
        var generated = new List<int>();
        for (int n = 0; n < maxTokens; n++)
        {
            using var scope = NewDisposeScope();
            var window = tokens.Skip(Math.Max(0, tokens.Count - model.Config.Context)).Select(t => (long)t).ToArray();
            var logits = model.Forward(tensor(window, [1, window.Length]), causal: true)[0, -1].data<float>().ToArray();
            int next = temperature == 0 ? ArgMax(logits) : Draw(logits, temperature, topK, ref random);
            if (next == stopToken) break;
            tokens.Add(next);
            generated.Add(next);
        }
        return [.. generated];
    }

    /// <summary>The tokens with every <paramref name="mask"/> replaced by the model's most likely token there.</summary>
    public static int[] Fill(Gpt model, IReadOnlyList<int> tokens, int mask)
    {
        if (tokens.Count > model.Config.Context) throw new ArgumentException($"{tokens.Count} tokens do not fit the context of {model.Config.Context}");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logits = model.Forward(tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Count]), causal: false)[0];
        var best = logits.argmax(1).data<long>().ToArray();
        return [.. tokens.Select((t, i) => t == mask ? (int)best[i] : t)];
    }

    private static int Draw(float[] logits, double temperature, int topK, ref SplitMix64 random)
    {
        int k = topK <= 0 ? logits.Length : Math.Min(topK, logits.Length);
        // The k largest, ties to the smaller id, in a fixed order so the draw is reproducible.
        var candidates = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(k).ToArray();
        double max = logits[candidates[0]];
        var weights = candidates.Select(i => Math.Exp((logits[i] - max) / temperature)).ToArray();
        double u = random.NextDouble() * weights.Sum();
        for (int i = 0; i < candidates.Length; i++)
        {
            u -= weights[i];
            if (u < 0) return candidates[i];
        }
        return candidates[^1];
    }

    private static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
