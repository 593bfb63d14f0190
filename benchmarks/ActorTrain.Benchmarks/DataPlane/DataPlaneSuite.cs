using System.Net;
using System.Net.Sockets;
using ActorTrain.DataPlane;

namespace ActorTrain.Benchmarks.DataPlane;

/// <summary>
/// The ring all-reduce on loopback against raw TCP: W replicas in one process reduce a gradient
/// buffer (tiny and small model sizes); the baseline moves the same bytes over the same ring of raw
/// sockets with no framing, no reduction and no handshake — 2(W-1)/W of the buffer per link, the
/// ring algorithm's minimum. Speedup = raw time / ring time (1.0 = as fast as the wire allows). Then the
/// gradients' way from their tensors into the ring's buffer and back (<see cref="TensorTransferRows"/>).
/// </summary>
public static class DataPlaneSuite
{
    public static SuiteResult Run(BenchmarkOptions options)
    {
        var rows = new List<ResultRow>();
        foreach (int world in new[] { 2, 3 })
        {
            foreach (var (name, floats) in new[] { ("tiny (1.3M params)", 1_330_000), ("small (6M params)", 6_000_000) })
            {
                var ring = Ring(world).GetAwaiter().GetResult();
                var raw = RawRing(world);
                var buffers = Enumerable.Range(0, world).Select(_ => new float[floats]).ToArray();
                long bytesPerLink = 2L * (world - 1) * floats * sizeof(float) / world;
                var times = Measure.MedianMilliseconds(options.WarmUps, options.Repetitions,
                    () => Task.WhenAll(ring.Members.Select((m, r) => m.AllReduceAsync(buffers[r], CancellationToken.None))).GetAwaiter().GetResult(),
                    () => raw.Move(bytesPerLink));
                double megabytes = floats * sizeof(float) / 1e6;
                rows.Add(new ResultRow($"all-reduce {name}, {world} replicas", Math.Round(megabytes / (times[0] / 1000), 1), Math.Round(megabytes / (times[1] / 1000), 1),
                    "raw TCP ring", "MB/s", Math.Round(times[1] / times[0], 3)));
                foreach (var member in ring.Members) member.DisposeAsync().AsTask().GetAwaiter().GetResult();
                foreach (var listener in ring.Listeners) listener.Stop();
                raw.Dispose();
            }
        }
        rows.AddRange(TensorTransferRows.Measure(options));
        return new SuiteResult("data-plane", Measure.Machine(options.Threads), options.Quick, rows);
    }

    private static async Task<(RingAllReduce[] Members, TcpListener[] Listeners)> Ring(int world)
    {
        var listeners = Enumerable.Range(0, world).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners) listener.Start();
        IPEndPoint[] endpoints = [.. listeners.Select(l => (IPEndPoint)l.LocalEndpoint)];
        var members = await Task.WhenAll(Enumerable.Range(0, world).Select(r => RingAllReduce.JoinAsync(r, endpoints, listeners[r], 1, CancellationToken.None)));
        return (members, listeners);
    }

    private static RawTcpRing RawRing(int world) => new(world);

    /// <summary>W sockets in a ring; Move sends n bytes on every link at once and waits for them to arrive.</summary>
    private sealed class RawTcpRing : IDisposable
    {
        private readonly NetworkStream[] outgoing;
        private readonly NetworkStream[] incoming;
        private readonly byte[] source = new byte[1 << 20];

        public RawTcpRing(int world)
        {
            outgoing = new NetworkStream[world];
            incoming = new NetworkStream[world];
            for (int r = 0; r < world; r++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var client = new TcpClient { NoDelay = true };
                client.Connect((IPEndPoint)listener.LocalEndpoint);
                var accepted = listener.AcceptTcpClient();
                listener.Stop();
                outgoing[r] = client.GetStream();
                incoming[(r + 1) % world] = accepted.GetStream();
            }
        }

        public void Move(long bytes)
        {
            var work = new List<Task>();
            for (int r = 0; r < outgoing.Length; r++)
            {
                var send = outgoing[r];
                var receive = incoming[r];
                work.Add(Task.Run(async () =>
                {
                    for (long sent = 0; sent < bytes; sent += source.Length) await send.WriteAsync(source.AsMemory(0, (int)Math.Min(source.Length, bytes - sent)));
                }));
                work.Add(Task.Run(async () =>
                {
                    var sink = new byte[1 << 20];
                    for (long received = 0; received < bytes;) received += await receive.ReadAsync(sink.AsMemory(0, (int)Math.Min(sink.Length, bytes - received)));
                }));
            }
            Task.WaitAll(work);
        }

        public void Dispose()
        {
            foreach (var stream in outgoing.Concat(incoming)) stream.Dispose();
        }
    }
}
