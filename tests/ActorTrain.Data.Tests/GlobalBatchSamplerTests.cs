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
            var sampler = new GlobalBatchSampler(new SampleOrder(s.samples, Streams(s.seed)), s.globalBatch);
            var seen = new int[s.samples];
            long consumed = 0;
            for (int step = 0; consumed + s.globalBatch <= s.samples; step++)
            {
                // A resume rebuilds everything from (consumed, seed) alone; the world size changes freely.
                if (s.resumes[step % s.resumes.Length]) sampler = new GlobalBatchSampler(new SampleOrder(s.samples, Streams(s.seed)), s.globalBatch);
                int world = Math.Min(s.worldSizes[step % s.worldSizes.Length], s.globalBatch);
                for (int rank = 0; rank < world; rank++)
                    foreach (long visit in sampler.VisitsFor(consumed, rank, world)) seen[SampleVisits.SampleOf(visit, s.samples)]++;
                consumed += s.globalBatch;
            }
            // The epoch's tail that does not fill a global batch spills into the next epoch's order.
            for (long p = consumed; p < s.samples; p++) seen[sampler.Order.SampleAt(p)]++;
            Assert.All(seen, count => Assert.Equal(1, count));
        }, iter: 400, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void The_global_batch_does_not_depend_on_the_world_size()
    {
        var sampler = new GlobalBatchSampler(new SampleOrder(1000, Streams(42)), 24);
        long[] Batch(int world) => [.. Enumerable.Range(0, world).SelectMany(r => sampler.VisitsFor(480, r, world))];
        var one = Batch(1);
        foreach (int world in new[] { 2, 3, 5, 7, 24 }) Assert.Equal(one, Batch(world));
    }

    [Fact]
    public void A_step_across_an_epoch_boundary_hands_out_each_sample_with_its_own_epoch()
    {
        var sampler = new GlobalBatchSampler(new SampleOrder(10, Streams(3)), 4);
        var visits = sampler.VisitsFor(8, 0, 1);
        Assert.Equal([0L, 0, 1, 1], visits.Select(v => SampleVisits.EpochOf(v, 10)));
        Assert.Equal(Enumerable.Range(8, 4).Select(p => sampler.Order.SampleAt(p)), visits.Select(v => SampleVisits.SampleOf(v, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleVisits.Of(0, 10, 10));
    }

    [Fact]
    public void Runs_of_the_earlier_derivations_digest_bare_samples_as_their_journals_do()
    {
        foreach (var derivation in new[] { StreamDerivation.XoredKeys, StreamDerivation.MixedKeys, StreamDerivation.MixedKeysEpochMasks })
        {
            var sampler = new GlobalBatchSampler(new SampleOrder(10, new RandomStreams(3, derivation)), 4);
            var visits = sampler.VisitsFor(12, 0, 1); // all in epoch 1
            long[] samples = [.. visits.Select(v => SampleVisits.SampleOf(v, 10))];
            bool epochMasks = derivation == StreamDerivation.MixedKeysEpochMasks;
            Assert.Equal(SampleDigest.Of(epochMasks ? visits : samples), SampleDigest.Of(visits, sampler.Order));
            Assert.NotEqual(SampleDigest.Of(visits), SampleDigest.Of(samples));
        }
    }

    private static RandomStreams Streams(ulong seed) => new(seed, RandomStreams.ForNewRuns);

    [Fact]
    public void The_order_is_a_pure_function_of_count_seed_and_epoch()
    {
        Assert.Equal(SampleOrder.Permutation(500, Streams(7), 3), SampleOrder.Permutation(500, Streams(7), 3));
        Assert.NotEqual(SampleOrder.Permutation(500, Streams(7), 3), SampleOrder.Permutation(500, Streams(7), 4));
        Assert.NotEqual(SampleOrder.Permutation(500, Streams(7), 3), SampleOrder.Permutation(500, Streams(8), 3));
        Assert.Equal(Enumerable.Range(0, 500), SampleOrder.Permutation(500, Streams(7), 3).Order());
        // Pinned, both derivations: the generator is ours, so neither can drift with a runtime upgrade, and runs
        // started with the first one resume with the very order they had.
        Assert.Equal([2, 5, 8, 3, 1, 4, 6, 0, 9, 7], SampleOrder.Permutation(10, new RandomStreams(1, StreamDerivation.XoredKeys), 0));
        Assert.Equal(MixedKeysPin, SampleOrder.Permutation(10, new RandomStreams(1, StreamDerivation.MixedKeys), 0));
    }

    // Computed independently (a Python transcription of SplitMix64, the finalizer chain and Lemire's bound).
    private static readonly int[] MixedKeysPin = [2, 9, 3, 0, 7, 5, 1, 8, 4, 6];

    [Fact]
    public void Nearby_seeds_and_epochs_give_unrelated_orders_with_the_mixed_derivation()
    {
        // The first derivation XORed keys into a state that only counted up: seed 1337's epoch 3 was seed 1336's epoch 0,
        // and most (seed, epoch) pairs in 0-63 shared their stream with another pair.
        static int Distinct(StreamDerivation derivation) =>
            (from seed in Enumerable.Range(0, 64) from epoch in Enumerable.Range(0, 64)
             select new RandomStreams((ulong)seed, derivation).For((ulong)epoch, 1000).Next()).Distinct().Count();
        Assert.True(Distinct(StreamDerivation.XoredKeys) < 1000, "the first derivation's collisions are the reason for the second");
        Assert.Equal(64 * 64, Distinct(StreamDerivation.MixedKeys));
        Assert.Equal(SampleOrder.Permutation(1000, new RandomStreams(1336, StreamDerivation.XoredKeys), 0),
            SampleOrder.Permutation(1000, new RandomStreams(1337, StreamDerivation.XoredKeys), 3));
        Assert.NotEqual(SampleOrder.Permutation(1000, Streams(1336), 0), SampleOrder.Permutation(1000, Streams(1337), 3));
    }

    [Fact]
    public void Bad_world_sizes_and_ranks_are_refused()
    {
        var sampler = new GlobalBatchSampler(new SampleOrder(10, Streams(1)), 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Slice(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Slice(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Slice(3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SampleOrder(0, Streams(1)));
    }
}
