using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ActorTrain.DataPlane;

/// <summary>
/// Length-prefixed frames of floats over one TCP connection: a 4-byte little-endian byte count, then
/// the raw little-endian floats. The receiver knows how many floats it expects, so a frame of any
/// other length — garbage, a peer of another round, a torn connection — is an error naming the peer,
/// never data.
/// </summary>
internal sealed class FrameStream(NetworkStream stream, string peer) : IAsyncDisposable
{
    public const int MaxFrameBytes = 1 << 20;
    private readonly byte[] lengthBuffer = new byte[4];
    // One buffer each way, reused: a frame is one copy and one write, not an allocation.
    private readonly byte[] sendBuffer = new byte[4 + MaxFrameBytes];
    private readonly byte[] receiveBuffer = new byte[MaxFrameBytes];

    public string Peer { get; } = peer;

    public async ValueTask SendAsync(ReadOnlyMemory<float> values, CancellationToken cancellationToken)
    {
        int bytes = values.Length * sizeof(float);
        if (bytes > MaxFrameBytes) throw new ArgumentException($"frame of {bytes} bytes exceeds {MaxFrameBytes}");
        BinaryPrimitives.WriteInt32LittleEndian(sendBuffer, bytes);
        MemoryMarshal.AsBytes(values.Span).CopyTo(sendBuffer.AsSpan(4));
        await stream.WriteAsync(sendBuffer.AsMemory(0, 4 + bytes), cancellationToken);
    }

    /// <summary>Receives exactly <paramref name="destination"/>.Length floats.</summary>
    /// <exception cref="InvalidDataException">The frame has another length, or the connection closed mid-frame.</exception>
    public async ValueTask ReceiveAsync(Memory<float> destination, CancellationToken cancellationToken)
    {
        await ReadExactlyAsync(lengthBuffer, cancellationToken);
        int bytes = BinaryPrimitives.ReadInt32LittleEndian(lengthBuffer);
        int expected = destination.Length * sizeof(float);
        if (bytes != expected) throw new InvalidDataException($"data plane peer {Peer} sent a frame of {bytes} bytes where {expected} were expected");
        await ReadExactlyAsync(receiveBuffer.AsMemory(0, bytes), cancellationToken);
        MemoryMarshal.Cast<byte, float>(receiveBuffer.AsSpan(0, bytes)).CopyTo(destination.Span);
    }

    public async ValueTask ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"data plane peer {Peer} closed the connection mid-frame");
        }
        catch (IOException e)
        {
            // Reset, or timed out by keepalive (a peer that vanished): the socket's words, with the peer named.
            throw new IOException($"data plane peer {Peer}: {e.Message}", e);
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => stream.WriteAsync(bytes, cancellationToken);

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
