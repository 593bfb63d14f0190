using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ActorTrain.DataPlane;

/// <summary>
/// Ring all-reduce (sum) of float buffers among the W replicas of one round over TCP: each replica
/// connects to the next in the ring and accepts the previous one; the buffer is cut into W chunks;
/// W-1 reduce-scatter steps leave each replica owning one fully summed chunk, W-1 all-gather steps
/// hand every chunk to everyone. Each chunk moves in frames of at most 1 MiB, sending and
/// receiving at once, so the ring stays busy. Every replica ends with the same bits: each element
/// is summed once, in ring order, and copied. A handshake (magic, round, rank) refuses peers of
/// another round; a peer that dies, falls silent (keepalive) or sends garbage fails the operation
/// with an error naming it.
/// </summary>
public sealed class RingAllReduce : IAsyncDisposable
{
    // 1 MiB frames: with 256 KiB ones, four times the frames and their awaits cost more than the finer overlap of sums
    // and transfer gained (benchmarks/run data-plane, 3 replicas of 6M floats: 622 -> 840 MB/s with FloatBytes).
    private const int FrameFloats = FrameStream.MaxFrameBytes / sizeof(float);
    private static ReadOnlySpan<byte> Magic => "ATRING01"u8;
    private readonly FrameStream? next;
    private readonly FrameStream? previous;
    // Where a frame to be added lands: one per ring (its reductions run one at a time), not one per step.
    private float[]? incoming;

    private RingAllReduce(int rank, int worldSize, FrameStream? next, FrameStream? previous)
    {
        Rank = rank;
        WorldSize = worldSize;
        this.next = next;
        this.previous = previous;
    }

    public int Rank { get; }

    public int WorldSize { get; }

    /// <summary>Joins the ring of <paramref name="round"/>: connects to the next replica's listener and accepts the previous replica on ours.</summary>
    /// <param name="ring">Every replica's listener, by rank.</param>
    /// <exception cref="InvalidDataException">A peer of another round or rank, or not a ring peer at all.</exception>
    public static async Task<RingAllReduce> JoinAsync(int rank, IReadOnlyList<IPEndPoint> ring, TcpListener listener, long round, CancellationToken cancellationToken)
    {
        int world = ring.Count;
        if ((uint)rank >= (uint)world) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} of a ring of {world}");
        if (world == 1) return new RingAllReduce(0, 1, null, null);
        int nextRank = (rank + 1) % world, previousRank = (rank + world - 1) % world;
        // The first half to fail ends the other, and whichever connection was made is closed: left open, its peer would
        // take the join for done and wait out its deadline for frames that never come.
        using var halves = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connect = ConnectAsync(ring[nextRank], rank, round, halves.Token);
        var accept = AcceptAsync(listener, previousRank, round, halves.Token);
        try
        {
            await Both(connect, accept, () => halves.Cancel());
        }
        catch
        {
            if (connect.IsCompletedSuccessfully) await connect.Result.DisposeAsync();
            if (accept.IsCompletedSuccessfully) await accept.Result.DisposeAsync();
            throw;
        }
        return new RingAllReduce(rank, world, await connect, await accept);
    }

    // Both tasks; once one fails, <paramref name="stopOther"/> ends the other, which is awaited (nothing of it runs on
    // after this returns), and the first failure is what is thrown.
    private static async Task Both(Task first, Task second, Action stopOther)
    {
        var done = await Task.WhenAny(first, second);
        if (done.IsCompletedSuccessfully)
        {
            await (done == first ? second : first);
            return;
        }
        stopOther();
        try
        {
            await (done == first ? second : first);
        }
        catch
        {
            // Its failure is the consequence of stopping it; the cause is the first one's.
        }
        await done;
    }

    /// <summary>Replaces <paramref name="data"/> with the element-wise sum over the ring. Every replica must pass a buffer of the same length.</summary>
    public Task AllReduceAsync(float[] data, CancellationToken cancellationToken) => FailFast(() => ReduceAsync(data, cancellationToken));

    private async Task ReduceAsync(float[] data, CancellationToken cancellationToken)
    {
        if (WorldSize == 1) return;
        var bounds = Enumerable.Range(0, WorldSize + 1).Select(c => (int)((long)data.Length * c / WorldSize)).ToArray();
        Memory<float> Chunk(int c) => data.AsMemory(bounds[c], bounds[c + 1] - bounds[c]);
        var scratch = incoming ??= new float[FrameFloats];
        for (int s = 0; s < WorldSize - 1; s++)
        {
            int send = Mod(Rank - s), receive = Mod(Rank - s - 1);
            await Both(SendAsync(Chunk(send), cancellationToken), ReceiveAndAddAsync(Chunk(receive), scratch, cancellationToken), CloseConnections);
        }
        for (int s = 0; s < WorldSize - 1; s++)
        {
            int send = Mod(Rank + 1 - s), receive = Mod(Rank - s);
            await Both(SendAsync(Chunk(send), cancellationToken), ReceiveAsync(Chunk(receive), cancellationToken), CloseConnections);
        }
    }

    /// <summary>Sends a buffer around the ring from <paramref name="root"/> so every replica holds the root's values (weights for a joining replica).</summary>
    public Task BroadcastAsync(float[] data, int root, CancellationToken cancellationToken) => FailFast(async () =>
    {
        if (WorldSize == 1) return;
        // Along the ring: the root sends, each other replica receives then forwards, except the root's predecessor.
        if (Rank != root) await ReceiveAsync(data, cancellationToken);
        if (Mod(Rank + 1) != root) await SendAsync(data, cancellationToken);
    });

    // A replica that fails closes both its connections, so its neighbours fail at once too and the
    // whole ring learns of the failure instead of waiting for a deadline.
    private async Task FailFast(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (next is not null) await next.DisposeAsync();
        if (previous is not null) await previous.DisposeAsync();
    }

    // A send blocked on a next peer that stopped reading (its host vanished: no reset comes, and TCP retransmits for
    // minutes) would keep a step whose receive already failed waiting for its deadline. Closed sockets end both halves
    // at once.
    private void CloseConnections() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static void Add(Span<float> target, ReadOnlySpan<float> source)
    {
        var targetVectors = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(target);
        var sourceVectors = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(source);
        for (int v = 0; v < targetVectors.Length; v++) targetVectors[v] += sourceVectors[v];
        for (int i = targetVectors.Length * System.Numerics.Vector<float>.Count; i < target.Length; i++) target[i] += source[i];
    }

    private int Mod(int value) => ((value % WorldSize) + WorldSize) % WorldSize;

    private async Task SendAsync(ReadOnlyMemory<float> chunk, CancellationToken cancellationToken)
    {
        for (int at = 0; at < chunk.Length; at += FrameFloats)
            await next!.SendAsync(chunk.Slice(at, Math.Min(FrameFloats, chunk.Length - at)), cancellationToken);
    }

    // Each frame is added as it arrives, so the sums overlap the transfer of the next frame.
    private async Task ReceiveAndAddAsync(Memory<float> chunk, float[] scratch, CancellationToken cancellationToken)
    {
        for (int at = 0; at < chunk.Length; at += FrameFloats)
        {
            int length = Math.Min(FrameFloats, chunk.Length - at);
            await previous!.ReceiveAsync(scratch.AsMemory(0, length), cancellationToken);
            Add(chunk.Span.Slice(at, length), scratch.AsSpan(0, length));
        }
    }

    private async Task ReceiveAsync(Memory<float> chunk, CancellationToken cancellationToken)
    {
        for (int at = 0; at < chunk.Length; at += FrameFloats)
            await previous!.ReceiveAsync(chunk.Slice(at, Math.Min(FrameFloats, chunk.Length - at)), cancellationToken);
    }

    private static async Task<FrameStream> ConnectAsync(IPEndPoint endpoint, int rank, long round, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        try
        {
            WatchForVanishedPeer(client.Client);
            await client.ConnectAsync(endpoint, cancellationToken);
            var stream = new FrameStream(client.GetStream(), endpoint.ToString());
            await stream.WriteAsync(Handshake(rank, round), cancellationToken);
            return stream;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // The listener outlives rounds: a peer of an earlier round that connected as its round was given up can still be
    // waiting in the backlog. Such a connection is dropped and the next one accepted; it would otherwise fail this
    // round's join as well, and the run re-form once more. So is one that closes or stays silent before its handshake
    // (a probe, a peer that died connecting): it is nobody's, and waiting on it would keep the real peer in the backlog.
    private static async Task<FrameStream> AcceptAsync(TcpListener listener, int expectedRank, long round, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (stream, peerRound) = await AcceptOneAsync(listener, expectedRank, round, cancellationToken);
            if (stream is null) continue;
            if (peerRound == round) return stream;
            await stream.DisposeAsync();
        }
    }

    private static readonly TimeSpan HandshakeWithin = TimeSpan.FromSeconds(5);

    // The next connection and its round: this round's expected peer, or one of an earlier round; no stream when it
    // closed or fell silent before a whole handshake.
    private static async Task<(FrameStream? Stream, long Round)> AcceptOneAsync(TcpListener listener, int expectedRank, long round, CancellationToken cancellationToken)
    {
        var client = await listener.AcceptTcpClientAsync(cancellationToken);
        WatchForVanishedPeer(client.Client);
        var stream = new FrameStream(client.GetStream(), client.Client.RemoteEndPoint?.ToString() ?? "?");
        try
        {
            var hello = new byte[Magic.Length + 12];
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                handshake.CancelAfter(HandshakeWithin);
                try
                {
                    await stream.ReadExactlyAsync(hello, handshake.Token);
                }
                catch (Exception e) when (e is InvalidDataException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    await stream.DisposeAsync();
                    return (null, 0);
                }
            }
            if (!hello.AsSpan(0, Magic.Length).SequenceEqual(Magic)) throw new InvalidDataException($"{stream.Peer} is not a data plane ring peer (bad magic)");
            int rank = BinaryPrimitives.ReadInt32LittleEndian(hello.AsSpan(Magic.Length));
            long peerRound = BinaryPrimitives.ReadInt64LittleEndian(hello.AsSpan(Magic.Length + 4));
            if (peerRound < round) return (stream, peerRound);
            if (peerRound != round || rank != expectedRank)
                throw new InvalidDataException($"{stream.Peer} is rank {rank} of round {peerRound}; expected rank {expectedRank} of round {round}");
            return (stream, peerRound);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    // A peer process that dies has its kernel close the connection; a peer whose host vanished (network
    // partition, power loss) sends nothing at all, and the replica after it would wait out the step's
    // deadline. Keepalive probes find it within seconds: the kernel of a live peer answers them even
    // while its replica is busy computing, so only a peer that is really gone trips them. The replica
    // after a dead peer is always idle on that connection (it only receives there), so its probes go
    // out, it fails, and closing its ring fails the others at once.
    private static void WatchForVanishedPeer(Socket socket)
    {
        socket.NoDelay = true;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, KeepAliveIdleSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, KeepAliveIntervalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, KeepAliveProbes);
    }

    // A silent peer is given up after about 2 + 3 x 1 = 5 seconds.
    private const int KeepAliveIdleSeconds = 2, KeepAliveIntervalSeconds = 1, KeepAliveProbes = 3;

    private static byte[] Handshake(int rank, long round)
    {
        var hello = new byte[Magic.Length + 12];
        Magic.CopyTo(hello);
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(Magic.Length), rank);
        BinaryPrimitives.WriteInt64LittleEndian(hello.AsSpan(Magic.Length + 4), round);
        return hello;
    }
}
