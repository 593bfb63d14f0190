using System.Collections.Immutable;
using ActorTrain.Chaos;
using ActorTrain.Cluster.Training;
using ActorTrain.Data.Sampling;
using ActorTrain.Protocol.Training;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests.Chaos;

/// <summary>The checker the chaos scenarios rely on must see what it exists to see.</summary>
public sealed class TrainingInvariantsTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-invariants-");

    public void Dispose() => root.Dispose();

    [Fact]
    public void A_replica_that_trained_on_other_samples_than_its_position_is_given_is_a_violation()
    {
        var spec = new TrainingSpec(CountingDataset.Write(root.Combine("dataset")), root.Combine("run"), "tiny", "causal", Steps: 2, GlobalBatch: 4, MicroBatch: 2,
            LearningRate: 3e-3, Seed: 3, Replicas: 2, CheckpointEvery: 100, RandomStreams.ForNewRuns);
        var sampler = ReplicaSetup.SamplerFor(spec);
        string Digest(long from, int position) => SampleDigest.Of(sampler.VisitsFor(from, position, 2), sampler.Order);
        TrainingRunState Journal(params string[][] digests) =>
            digests.Select((d, step) => new TrainingRunEvents.StepCommitted(step, step * 4L, step * 4L + 4, [0, 1], 1, 2.0, 0.1, ["p", "p"], [.. d]))
                .Aggregate(TrainingRunState.Initial.Apply(new TrainingRunEvents.Started(spec, DateTimeOffset.UnixEpoch)), (state, step) => state.Apply(step));

        Assert.Empty(TrainingInvariants.Violations(Journal([Digest(0, 0), Digest(0, 1)], [Digest(4, 0), Digest(4, 1)]), 4, sampler));
        // Step 1's ranks swapped their slices, and one of them took step 0's again: the ranges alone look perfect.
        var swapped = TrainingInvariants.Violations(Journal([Digest(0, 0), Digest(0, 1)], [Digest(4, 1), Digest(0, 1)]), 4, sampler);
        Assert.Equal(2, swapped.Count);
        Assert.Contains("step 1: rank 0 trained on other samples than position 0 of [4, 8) is given", swapped);
        Assert.Equal((0, 0), TrainingInvariants.SampleAccounting(Journal([Digest(0, 0), Digest(0, 1)], [Digest(4, 1), Digest(0, 1)])));
        // A journal without the replicas' digests proves nothing, and says so.
        Assert.Contains("step 0: 0 sample digests for 2 replicas", TrainingInvariants.Violations(Journal(Array.Empty<string>()), 4, sampler));
    }
}
