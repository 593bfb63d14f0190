using ActorTrain.Data.Sampling;
using ActorTrain.Model;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Model.Tests;

public sealed class TrainingBatchTests : IDisposable
{
    // Long enough for span corruption to draw several spans: with one, the span's place is not random.
    private readonly SyntheticDataset data = new(context: 128);

    public void Dispose() => data.Dispose();

    private long[] Samples => [0, 1, 2, 3, 4, 5, 6, 7];

    private static bool Same(Tensor a, Tensor b) => a.eq(b).all().item<bool>();

    private long[] VisitsIn(long epoch) => [.. Samples.Select(s => SampleVisits.Of(epoch, s, data.Samples.Count))];

    [Theory]
    [InlineData(Objective.Mlm)]
    [InlineData(Objective.Span)]
    public void New_runs_mask_a_sample_afresh_in_each_epoch(Objective objective)
    {
        using var scope = NewDisposeScope();
        var batches = data.Batches(objective);
        var (first, _) = batches.Build(VisitsIn(0));
        var (second, _) = batches.Build(VisitsIn(1));
        for (int row = 0; row < Samples.Length; row++)
            Assert.False(Same(first[row], second[row]), $"sample {Samples[row]} got the same corruption in epochs 0 and 1");
        var (again, _) = batches.Build(VisitsIn(1));
        Assert.True(Same(second, again), "one visit must always be built alike (replicas and resumes rebuild it)");
    }

    [Theory]
    [InlineData(Objective.Mlm)]
    [InlineData(Objective.Span)]
    public void Runs_of_the_earlier_derivations_keep_masking_a_sample_alike_in_every_epoch(Objective objective)
    {
        using var scope = NewDisposeScope();
        foreach (var derivation in new[] { StreamDerivation.XoredKeys, StreamDerivation.MixedKeys })
        {
            var batches = data.Batches(objective, derivation: derivation);
            var (first, firstLabels) = batches.Build(VisitsIn(0));
            var (third, thirdLabels) = batches.Build(VisitsIn(2));
            Assert.True(Same(first, third) && Same(firstLabels, thirdLabels), $"{derivation} changed a sample's masks between epochs: its runs would not resume alike");
        }
    }

    [Fact]
    public void The_first_epoch_is_masked_as_the_derivation_before_epoch_masks_did()
    {
        using var scope = NewDisposeScope();
        var (before, beforeLabels) = data.Batches(Objective.Mlm, derivation: StreamDerivation.MixedKeys).Build(VisitsIn(0));
        var (now, nowLabels) = data.Batches(Objective.Mlm, derivation: StreamDerivation.MixedKeysEpochMasks).Build(VisitsIn(0));
        Assert.True(Same(before, now) && Same(beforeLabels, nowLabels));
    }

    [Fact]
    public void A_visit_reads_its_own_sample_whatever_the_epoch()
    {
        using var scope = NewDisposeScope();
        var batches = data.Batches(Objective.Causal);
        var (inputs, labels) = batches.Build(Samples);
        var (later, laterLabels) = batches.Build(VisitsIn(5));
        Assert.True(Same(inputs, later) && Same(labels, laterLabels));
        Assert.Throws<ArgumentOutOfRangeException>(() => batches.Build([-1]));
    }
}
