using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ActorTrain.DataPlane;
using Xunit;

namespace ActorTrain.DataPlane.Tests;

public sealed class RingAllReduceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // W listeners on loopback with free ports, and the ring of their endpoints.
    private static (TcpListener[] Listeners, IPEndPoint[] Ring) Listen(int world)
    {
        var listeners = Enumerable.Range(0, world).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners) listener.Start();
        return (listeners, [.. listeners.Select(l => (IPEndPoint)l.LocalEndpoint)]);
    }

    private static async Task<RingAllReduce[]> JoinAll(TcpListener[] listeners, IPEndPoint[] ring, long round)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await Task.WhenAll(Enumerable.Range(0, ring.Length).Select(r => RingAllReduce.JoinAsync(r, ring, listeners[r], round, timeout.Token)));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 7)]
    [InlineData(3, 1_000_003)]
    [InlineData(4, 1_500_007)] // chunks of two frames each: frames forwarded as they arrive
    [InlineData(4, 3)] // fewer elements than replicas: some chunks are empty
    public async Task Every_replica_ends_with_the_same_sum(int world, int length)
    {
        var (listeners, ring) = Listen(world);
        var members = await JoinAll(listeners, ring, round: 5);
        var random = new Random(world * 31 + length);
        var buffers = Enumerable.Range(0, world).Select(_ => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        var expected = Enumerable.Range(0, length).Select(i => buffers.Sum(b => (double)b[i])).ToArray();
        using var timeout = new CancellationTokenSource(Patience);
        await Task.WhenAll(members.Select((m, r) => m.AllReduceAsync(buffers[r], timeout.Token)));
        for (int r = 1; r < world; r++) Assert.True(buffers[0].AsSpan().SequenceEqual(buffers[r]), $"replica {r} differs from replica 0");
        for (int i = 0; i < length; i++) Assert.True(Math.Abs(buffers[0][i] - expected[i]) < 1e-5, $"element {i}: {buffers[0][i]} vs {expected[i]}");
        foreach (var member in members) await member.DisposeAsync();
        foreach (var listener in listeners) listener.Stop();
    }

    [Fact]
    public async Task Broadcast_gives_everyone_the_roots_values()
    {
        var (listeners, ring) = Listen(3);
        var members = await JoinAll(listeners, ring, round: 1);
        var buffers = Enumerable.Range(0, 3).Select(r => Enumerable.Range(0, 300_001).Select(i => (float)(i * (r + 1))).ToArray()).ToArray();
        var root = buffers[1].ToArray();
        using var timeout = new CancellationTokenSource(Patience);
        await Task.WhenAll(members.Select((m, r) => m.BroadcastAsync(buffers[r], root: 1, timeout.Token)));
        Assert.All(buffers, b => Assert.Equal(root, b));
        foreach (var member in members) await member.DisposeAsync();
        foreach (var listener in listeners) listener.Stop();
    }

    [Fact]
    public async Task A_peer_of_another_round_or_speaking_garbage_is_refused_by_name()
    {
        var (listeners, ring) = Listen(2);
        using var timeout = new CancellationTokenSource(Patience);
        using var otherTimeout = new CancellationTokenSource(Patience);
        var wrongRound = RingAllReduce.JoinAsync(0, ring, listeners[0], round: 1, timeout.Token);
        var other = RingAllReduce.JoinAsync(1, ring, listeners[1], round: 2, otherTimeout.Token);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => wrongRound);
        Assert.Contains("of round 2; expected rank 1 of round 1", error.Message);
        // The round-2 replica drops its round-1 peer (a stale one, to it) and waits for one of its own round.
        await Task.Delay(200);
        Assert.False(other.IsCompleted);
        otherTimeout.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => other);

        var (garbageListeners, garbageRing) = Listen(2);
        var joining = RingAllReduce.JoinAsync(0, garbageRing, garbageListeners[0], round: 1, timeout.Token);
        using (var intruder = new TcpClient())
        {
            await intruder.ConnectAsync(garbageRing[0]);
            await intruder.GetStream().WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            Assert.Contains("not a data plane ring peer", (await Assert.ThrowsAsync<InvalidDataException>(() => joining)).Message);
        }
        foreach (var listener in listeners.Concat(garbageListeners)) listener.Stop();
    }

    [Fact]
    public async Task A_peer_of_an_earlier_round_left_waiting_on_the_listener_is_dropped_and_the_ring_forms()
    {
        var (listeners, ring) = Listen(2);
        // Rank 0 of round 3 connected to rank 1 as round 3 was given up: its connection waits in rank 1's backlog.
        using var stale = new TcpClient();
        await stale.ConnectAsync(ring[1]);
        byte[] hello = [.. "ATRING01"u8, .. new byte[12]];
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(8), 0);
        BinaryPrimitives.WriteInt64LittleEndian(hello.AsSpan(12), 3);
        await stale.GetStream().WriteAsync(hello);

        var members = await JoinAll(listeners, ring, round: 4);
        float[][] data = [[1, 2, 3], [10, 20, 30]];
        await Task.WhenAll(members.Select((m, r) => m.AllReduceAsync(data[r], CancellationToken.None)));
        Assert.All(data, d => Assert.Equal([11f, 22f, 33f], d));
        foreach (var member in members) await member.DisposeAsync();
        foreach (var listener in listeners) listener.Stop();
    }

    [Fact]
    public async Task Connections_that_close_or_stay_silent_before_their_handshake_are_dropped_and_the_ring_forms()
    {
        var (listeners, ring) = Listen(2);
        using var silent = new TcpClient();
        await silent.ConnectAsync(ring[1]); // a probe, or a peer that died between connecting and its handshake
        using (var closed = new TcpClient()) await closed.ConnectAsync(ring[1]);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var members = await JoinAll(listeners, ring, round: 5);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the join took {clock.Elapsed}: it waited on the silent connection");
        float[][] data = [[1, 2], [3, 4]];
        await Task.WhenAll(members.Select((m, r) => m.AllReduceAsync(data[r], CancellationToken.None)));
        Assert.All(data, d => Assert.Equal([4f, 6f], d));
        foreach (var member in members) await member.DisposeAsync();
        foreach (var listener in listeners) listener.Stop();
    }

    [Fact]
    public async Task A_join_that_fails_closes_the_connection_it_made_so_its_peer_fails_at_once()
    {
        var (listeners, ring) = Listen(2);
        using var timeout = new CancellationTokenSource(Patience);
        // Rank 1 connects to rank 0 (its handshake is written), then its accept reads garbage and its join fails.
        var failing = RingAllReduce.JoinAsync(1, ring, listeners[1], round: 5, timeout.Token);
        await Task.Delay(300);
        using (var intruder = new TcpClient())
        {
            await intruder.ConnectAsync(ring[1]);
            await intruder.GetStream().WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            await Assert.ThrowsAsync<InvalidDataException>(() => failing);
        }
        // Rank 0 finds rank 1's handshake and joins; the connection behind it must be closed, not left to the finalizer.
        await using var member = await RingAllReduce.JoinAsync(0, ring, listeners[0], round: 5, timeout.Token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => member.AllReduceAsync(new float[10], timeout.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"rank 0 waited {clock.Elapsed} on a connection its failed peer left open");
        foreach (var listener in listeners) listener.Stop();
    }

    [Fact]
    public async Task A_receive_that_fails_ends_a_send_blocked_on_a_peer_that_stopped_reading()
    {
        var (listeners, ring) = Listen(1);
        // Rank 1 by hand: it takes rank 0's connection and never reads from it (its host vanished: no reset comes), and
        // closes its own connection to rank 0.
        var fake = new TcpListener(IPAddress.Loopback, 0);
        fake.Start();
        IPEndPoint[] world = [ring[0], (IPEndPoint)fake.LocalEndpoint];
        using var timeout = new CancellationTokenSource(Patience);
        var joining = RingAllReduce.JoinAsync(0, world, listeners[0], round: 7, timeout.Token);
        using var fromRank0 = await fake.AcceptTcpClientAsync(timeout.Token);
        using var toRank0 = new TcpClient();
        await toRank0.ConnectAsync(ring[0]);
        byte[] hello = [.. "ATRING01"u8, .. new byte[12]];
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(8), 1);
        BinaryPrimitives.WriteInt64LittleEndian(hello.AsSpan(12), 7);
        await toRank0.GetStream().WriteAsync(hello);
        await using var member = await joining;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reducing = member.AllReduceAsync(new float[20_000_000], timeout.Token); // 40 MB to send: far over the socket buffers
        await Task.Delay(200);
        toRank0.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => reducing);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the failed receive waited {clock.Elapsed} for the blocked send");
        Assert.False(timeout.IsCancellationRequested);
        fake.Stop();
        foreach (var listener in listeners) listener.Stop();
    }

    [Fact]
    public async Task A_replica_that_dies_mid_reduce_fails_the_others_instead_of_hanging()
    {
        var (listeners, ring) = Listen(3);
        var members = await JoinAll(listeners, ring, round: 9);
        await members[2].DisposeAsync(); // dies before the reduce
        using var timeout = new CancellationTokenSource(Patience);
        var survivors = members.Take(2).Select(m => m.AllReduceAsync(new float[500_000], timeout.Token)).ToArray();
        foreach (var survivor in survivors) await Assert.ThrowsAnyAsync<Exception>(() => survivor);
        Assert.False(timeout.IsCancellationRequested, "the survivors waited for the deadline instead of seeing the broken ring");
        foreach (var listener in listeners) listener.Stop();
    }
}
