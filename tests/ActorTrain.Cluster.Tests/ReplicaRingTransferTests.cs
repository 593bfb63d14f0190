using System.Net;
using System.Net.Sockets;
using ActorTrain.Cluster.Training;
using ActorTrain.Data.Sampling;
using ActorTrain.DataPlane;
using ActorTrain.Model;
using ActorTrain.Protocol.Training;
using ActorTrain.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Cluster.Tests;

/// <summary>Gradients and replica state moved a chunk at a time over real rings on loopback, with chunks far smaller
/// than a tensor so that every chunk boundary falls inside one.</summary>
public sealed class ReplicaRingTransferTests : IDisposable
{
    private const int SmallChunks = 10_007;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TemporaryDirectory root = new("actortrain-ring-transfer-");
    private readonly List<ReplicaSetup> replicas = [];

    public void Dispose()
    {
        foreach (var replica in replicas) replica.Dispose();
        root.Dispose();
    }

    // Replicas of one run's model, each from its own seed so that their states differ.
    private ReplicaSetup[] Replicas(int count)
    {
        string dataset = CountingDataset.Write(root.Combine("dataset"));
        for (int i = 0; i < count; i++)
        {
            replicas.Add(new ReplicaSetup(new TrainingSpec(dataset, root.Combine($"run-{i}"), "tiny", "causal", Steps: 10, GlobalBatch: 2, MicroBatch: 2,
                LearningRate: 3e-3, Seed: (ulong)(11 + i), Replicas: count, CheckpointEvery: 100, RandomStreams.ForNewRuns)));
        }
        return [.. replicas];
    }

    private static async Task<(RingAllReduce[] Members, TcpListener[] Listeners)> Ring(int world)
    {
        var listeners = Enumerable.Range(0, world).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners) listener.Start();
        IPEndPoint[] ring = [.. listeners.Select(l => (IPEndPoint)l.LocalEndpoint)];
        using var timeout = new CancellationTokenSource(Patience);
        var members = await Task.WhenAll(Enumerable.Range(0, world).Select(r => RingAllReduce.JoinAsync(r, ring, listeners[r], round: 1, timeout.Token)));
        return (members, listeners);
    }

    private static async Task Close(RingAllReduce[] members, TcpListener[] listeners)
    {
        foreach (var member in members) await member.DisposeAsync();
        foreach (var listener in listeners) listener.Stop();
    }

    private static float[] Everything(ReplicaTrainer trainer)
    {
        var flat = ReplicaState.Of(trainer);
        var values = new float[flat.Length];
        for (int chunk = 0, at = 0; chunk < flat.Count; at += flat.LengthOf(chunk), chunk++) flat.Read(chunk, values.AsSpan(at, flat.LengthOf(chunk)));
        return values;
    }

    private static float[] Gradients(ReplicaTrainer trainer) =>
        cat([.. trainer.Model.parameters().Select(p => (p.grad ?? zeros_like(p)).reshape(-1))]).data<float>().ToArray();

    [Fact]
    public async Task Every_member_takes_the_sources_parameters_moments_and_step()
    {
        var setups = Replicas(3);
        setups[1].Trainer.Step([0, 1]);
        setups[1].Trainer.Step([2, 3]); // moments that are not zero
        var source = Everything(setups[1].Trainer);
        Assert.NotEqual(source, Everything(setups[0].Trainer));
        var (members, listeners) = await Ring(3);
        using var timeout = new CancellationTokenSource(Patience);
        await Task.WhenAll(members.Select((m, r) => ReplicaState.BroadcastAsync(setups[r].Trainer, m, source: 1, step: 2, timeout.Token, SmallChunks)));
        await Close(members, listeners);
        Assert.True(ReplicaState.Of(setups[0].Trainer, SmallChunks).Count > 100, "the state should span many chunks");
        foreach (var setup in setups)
        {
            Assert.Equal(source, Everything(setup.Trainer));
            Assert.Equal(2, setup.Trainer.Optimizer.Steps);
        }
        // The replicas go on alike: the same step from the same state gives the same parameters.
        foreach (var setup in setups) setup.Trainer.Step([4, 5]);
        Assert.Equal(Everything(setups[1].Trainer), Everything(setups[0].Trainer));
        Assert.Equal(Everything(setups[1].Trainer), Everything(setups[2].Trainer));
    }

    [Fact]
    public async Task A_member_whose_ring_fails_midway_keeps_its_own_state()
    {
        var setups = Replicas(2);
        setups[0].Trainer.Step([0, 1]);
        var own = Everything(setups[1].Trainer);
        var (members, listeners) = await Ring(2);
        using var timeout = new CancellationTokenSource(Patience);
        var receiving = ReplicaState.BroadcastAsync(setups[1].Trainer, members[1], source: 0, step: 1, timeout.Token, SmallChunks);
        // The source sends the first two chunks of its state and is gone.
        var flat = ReplicaState.Of(setups[0].Trainer, SmallChunks);
        for (int chunk = 0; chunk < 2; chunk++)
        {
            var buffer = new float[flat.LengthOf(chunk)];
            flat.Read(chunk, buffer);
            await members[0].BroadcastAsync(buffer, root: 0, timeout.Token);
        }
        await members[0].DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => receiving);
        Assert.False(timeout.IsCancellationRequested, "the receiver should fail on the lost peer, not on the deadline");
        Assert.Equal(own, Everything(setups[1].Trainer));
        Assert.Equal(0, setups[1].Trainer.Optimizer.Steps);
        await Close([members[1]], listeners);
    }

    [Fact]
    public async Task Gradients_are_summed_over_the_ring_chunk_by_chunk()
    {
        var setups = Replicas(3);
        for (int r = 0; r < 3; r++) setups[r].Trainer.ComputeGradients([2 * r, 2 * r + 1], divisor: 64);
        // A parameter one replica left without a gradient takes part as zeros.
        var head = setups[2].Trainer.Model.parameters().Last();
        head.grad = null;
        var own = setups.Select(s => Gradients(s.Trainer)).ToArray();
        var (members, listeners) = await Ring(3);
        using var timeout = new CancellationTokenSource(Patience);
        await Task.WhenAll(members.Select((m, r) => new GradientBuffer().AllReduceAsync([.. setups[r].Trainer.Model.parameters()], m, timeout.Token, SmallChunks)));
        await Close(members, listeners);
        var summed = setups.Select(s => Gradients(s.Trainer)).ToArray();
        Assert.Equal(summed[0], summed[1]);
        Assert.Equal(summed[0], summed[2]);
        Assert.True(summed[0].Length > 10 * SmallChunks, "the gradients should span many chunks");
        for (int i = 0; i < summed[0].Length; i++)
        {
            double expected = own[0][i] + (double)own[1][i] + own[2][i];
            Assert.True(Math.Abs(summed[0][i] - expected) <= 1e-6 + 1e-5 * Math.Abs(expected), $"element {i}: {summed[0][i]}, expected {expected}");
        }
        Assert.NotNull(head.grad);
    }
}
