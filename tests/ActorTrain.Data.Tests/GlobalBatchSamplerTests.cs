using ActorTrain.Data.Sampling;
using CsCheck;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class GlobalBatchSamplerTests
{
    [Fact]
    public void Every_sample_of_an_epoch_is_consumed_once_whatever_the_world_sizes_and_resume_points()
    {
        var scenario =
            from samples in Gen.Int[1, 400]
            from globalBatch in Gen.Int[1, 32]
            from seed in Gen.ULong
            from worldSizes in Gen.Int[1, 32].Array[1, 60]
            from resumes in Gen.Bool.Array[60]
            select (samples, globalBatch, seed, worldSizes, resumes);
        scenario.Sample(s =>
        {
            var sampler = new GlobalBatchSampler(new SampleOrder(s.samples, s.seed), s.globalBatch);
            var seen = new int[s.samples];
            long consumed = 0;
            for (int step = 0; consumed + s.globalBatch <= s.samples; step++)
            {
                // A resume rebuilds everything from (consumed, seed) alone; the world size changes freely.
                if (s.resumes[step % s.resumes.Length]) sampler = new GlobalBatchSampler(new SampleOrder(s.samples, s.seed), s.globalBatch);
                int world = Math.Min(s.worldSizes[step % s.worldSizes.Length], s.globalBatch);
                for (int rank = 0; rank < world; rank++)
                    foreach (long sample in sampler.SamplesFor(consumed, rank, world)) seen[sample]++;
                consumed += s.globalBatch;
            }
            long covered = consumed;
            // The epoch's tail that does not fill a global batch spills into the next epoch's order.
            for (long p = consumed; p < s.samples; p++) seen[sampler.Order.SampleAt(p)]++;
            Assert.All(seen, count => Assert.Equal(1, count));
            Assert.True(covered <= s.samples);
        }, iter: 400, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void The_global_batch_does_not_depend_on_the_world_size()
    {
        var sampler = new GlobalBatchSampler(new SampleOrder(1000, 42), 24);
        long[] Batch(int world) => [.. Enumerable.Range(0, world).SelectMany(r => sampler.SamplesFor(480, r, world))];
        var one = Batch(1);
        foreach (int world in new[] { 2, 3, 5, 7, 24 }) Assert.Equal(one, Batch(world));
    }

    [Fact]
    public void The_order_is_a_pure_function_of_count_seed_and_epoch()
    {
        Assert.Equal(SampleOrder.Permutation(500, 7, 3), SampleOrder.Permutation(500, 7, 3));
        Assert.NotEqual(SampleOrder.Permutation(500, 7, 3), SampleOrder.Permutation(500, 7, 4));
        Assert.NotEqual(SampleOrder.Permutation(500, 7, 3), SampleOrder.Permutation(500, 8, 3));
        Assert.Equal(Enumerable.Range(0, 500), SampleOrder.Permutation(500, 7, 3).Order());
        // Pinned: the generator is ours, so this cannot drift with a runtime upgrade.
        Assert.Equal([2, 5, 8, 3, 1, 4, 6, 0, 9, 7], SampleOrder.Permutation(10, 1, 0));
    }

    [Fact]
    public void Bad_world_sizes_and_ranks_are_refused()
    {
        var sampler = new GlobalBatchSampler(new SampleOrder(10, 1), 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Slice(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Slice(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Slice(3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SampleOrder(0, 1));
    }
}
