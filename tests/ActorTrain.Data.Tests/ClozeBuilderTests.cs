using ActorTrain.Data.Sampling;
using ActorTrain.Data.Cloze;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class ClozeBuilderTests
{
    private static readonly ClozeTokens Vocabulary = new(OrdinaryTokens: 1000, Mask: 1001, EndOfText: 1000, Sentinels: [.. Enumerable.Range(1002, 64)]);

    private static int[] Sequence(int length, int seed)
    {
        var random = new Random(seed);
        var tokens = new int[length];
        for (int i = 0; i < length; i++) tokens[i] = i % 97 == 96 ? Vocabulary.EndOfText : random.Next(1000);
        return tokens;
    }

    private static RandomStreams Streams(ulong seed) => new(seed, RandomStreams.ForNewRuns);

    [Fact]
    public void Masking_selects_15_percent_and_splits_them_80_10_10()
    {
        long selected = 0, masked = 0, replaced = 0, kept = 0, eligible = 0;
        for (int sample = 0; sample < 400; sample++)
        {
            var tokens = Sequence(512, sample);
            var inputs = new int[512];
            var labels = new int[512];
            MaskedTokens.Build(tokens, Vocabulary, Streams(11), sample, inputs, labels);
            int ordinary = tokens.Count(t => t < Vocabulary.OrdinaryTokens);
            int picked = labels.Count(l => l != ClozeTokens.IgnoredLabel);
            Assert.Equal((int)Math.Round(0.15 * ordinary, MidpointRounding.AwayFromZero), picked);
            eligible += ordinary;
            for (int i = 0; i < tokens.Length; i++)
            {
                if (labels[i] == ClozeTokens.IgnoredLabel)
                {
                    Assert.Equal(tokens[i], inputs[i]);
                    continue;
                }
                Assert.Equal(tokens[i], labels[i]);
                Assert.NotEqual(Vocabulary.EndOfText, tokens[i]);
                selected++;
                if (inputs[i] == Vocabulary.Mask) masked++;
                else if (inputs[i] == tokens[i]) kept++;
                else replaced++;
            }
        }
        Assert.InRange(masked / (double)selected, 0.79, 0.81);
        Assert.InRange((replaced + kept) / (double)selected, 0.19, 0.21);
        Assert.InRange(kept / (double)selected, 0.09, 0.11 + 0.001); // a random replacement can draw the same token
    }

    [Fact]
    public void Masking_is_deterministic_given_the_seed_and_sample()
    {
        var tokens = Sequence(256, 1);
        int[] Mask(ulong seed, long sample)
        {
            var inputs = new int[256];
            MaskedTokens.Build(tokens, Vocabulary, Streams(seed), sample, inputs, new int[256]);
            return inputs;
        }
        Assert.Equal(Mask(5, 9), Mask(5, 9));
        Assert.NotEqual(Mask(5, 9), Mask(5, 10));
        Assert.NotEqual(Mask(5, 9), Mask(6, 9));
    }

    [Fact]
    public void Span_corruption_hides_15_percent_in_spans_of_mean_3_and_can_be_undone()
    {
        long noise = 0, spans = 0, total = 0;
        for (int sample = 0; sample < 300; sample++)
        {
            var tokens = Sequence(512, sample);
            var (inputs, targets) = SpanCorruption.Build(tokens, Vocabulary, Streams(3), sample);
            Assert.Equal(inputs, SpanCorruption.Build(tokens, Vocabulary, Streams(3), sample).Inputs);
            Assert.Equal(Vocabulary.EndOfText, targets[^1]);
            var sentinels = inputs.Where(Vocabulary.Sentinels.Contains).ToArray();
            Assert.Equal(Vocabulary.Sentinels.Take(sentinels.Length), sentinels);
            Assert.Equal(sentinels, targets.Where(Vocabulary.Sentinels.Contains));
            Assert.Equal(tokens, Reassemble(inputs, targets));
            noise += targets.Length - sentinels.Length - 1;
            spans += sentinels.Length;
            total += tokens.Length;
        }
        Assert.InRange(noise / (double)total, 0.149, 0.151);
        Assert.InRange(noise / (double)spans, 2.9, 3.1);
    }

    private static int[] Reassemble(int[] inputs, int[] targets)
    {
        var spans = new Dictionary<int, List<int>>();
        List<int>? current = null;
        foreach (int token in targets[..^1])
        {
            if (Vocabulary.Sentinels.Contains(token)) spans[token] = current = [];
            else current!.Add(token);
        }
        return [.. inputs.SelectMany(t => spans.TryGetValue(t, out var hidden) ? hidden : [t])];
    }
}
