using ActorTrain.Data.Sampling;

namespace ActorTrain.Data.Cloze;

/// <summary>
/// T5's span corruption for one sequence: round(n·density) tokens in about noise/meanSpan spans,
/// span and gap lengths drawn as random segmentations (T5's random_spans_noise_mask); each span is
/// replaced in the inputs by its own sentinel, and the targets are each sentinel followed by the
/// tokens it hides, then end-of-text.
/// A pure function of (tokens, the run's random streams, mask key): the key is the sample, or its visit where masks
/// change each epoch.
/// </summary>
public static class SpanCorruption
{
    public const double DefaultNoiseDensity = 0.15;
    public const double DefaultMeanSpanLength = 3.0;

    public static (int[] Inputs, int[] Targets) Build(ReadOnlySpan<int> tokens, ClozeTokens vocabulary, RandomStreams streams, long maskKey,
        double noiseDensity = DefaultNoiseDensity, double meanSpanLength = DefaultMeanSpanLength)
    {
        int length = tokens.Length;
        if (length < 2) throw new ArgumentException($"span corruption needs at least 2 tokens, got {length}");
        int noise = Math.Clamp((int)Math.Round(length * noiseDensity, MidpointRounding.AwayFromZero), 1, length - 1);
        int spans = Math.Max(1, (int)Math.Round(noise / meanSpanLength, MidpointRounding.AwayFromZero));
        spans = Math.Min(Math.Min(spans, noise), Math.Min(length - noise, vocabulary.Sentinels.Count));
        if (spans < 1) throw new ArgumentException("the vocabulary has no span sentinels");
        var random = streams.For((ulong)maskKey, 0x5350414E);
        var noiseLengths = Segment(noise, spans, ref random);
        var keptLengths = Segment(length - noise, spans, ref random);

        var inputs = new List<int>(length - noise + spans);
        var targets = new List<int>(noise + spans + 1);
        int at = 0;
        for (int s = 0; s < spans; s++)
        {
            for (int i = 0; i < keptLengths[s]; i++) inputs.Add(tokens[at++]);
            int sentinel = vocabulary.Sentinels[s];
            inputs.Add(sentinel);
            targets.Add(sentinel);
            for (int i = 0; i < noiseLengths[s]; i++) targets.Add(tokens[at++]);
        }
        targets.Add(vocabulary.EndOfText);
        return ([.. inputs], [.. targets]);
    }

    // total split into `parts` positive lengths, uniformly among such splits: parts - 1 distinct cuts in [1, total).
    private static int[] Segment(int total, int parts, ref SplitMix64 random)
    {
        var cuts = new int[total - 1];
        for (int i = 0; i < cuts.Length; i++) cuts[i] = i + 1;
        for (int k = 0; k < parts - 1; k++)
        {
            int pick = k + (int)random.NextBelow(cuts.Length - k);
            (cuts[k], cuts[pick]) = (cuts[pick], cuts[k]);
        }
        var chosen = cuts.AsSpan(0, parts - 1).ToArray();
        Array.Sort(chosen);
        var lengths = new int[parts];
        int previous = 0;
        for (int i = 0; i < chosen.Length; i++)
        {
            lengths[i] = chosen[i] - previous;
            previous = chosen[i];
        }
        lengths[^1] = total - previous;
        return lengths;
    }
}
