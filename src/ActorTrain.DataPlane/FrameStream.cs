using System.Buffers.Binary;
using System.Net.Sockets;

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
    // One each way: a stream may send and receive at once.
    private readonly byte[] sendHeader = new byte[4];
    private readonly byte[] receiveHeader = new byte[4];

    public string Peer { get; } = peer;

    // The header, then the floats straight from the caller's array: no copy into a send buffer.
    public async ValueTask SendAsync(ReadOnlyMemory<float> values, CancellationToken cancellationToken)
    {
        int bytes = values.Length * sizeof(float);
        if (bytes > MaxFrameBytes) throw new ArgumentException($"frame of {bytes} bytes exceeds {MaxFrameBytes}");
        BinaryPrimitives.WriteInt32LittleEndian(sendHeader, bytes);
        await stream.WriteAsync(sendHeader, cancellationToken);
        await stream.WriteAsync(FloatBytes.Of(values), cancellationToken);
    }

    /// <summary>Receives exactly <paramref name="destination"/>.Length floats, straight into it.</summary>
    /// <exception cref="InvalidDataException">The frame has another length, or the connection closed mid-frame.</exception>
    public async ValueTask ReceiveAsync(Memory<float> destination, CancellationToken cancellationToken)
    {
        await ReadExactlyAsync(receiveHeader, cancellationToken);
        int bytes = BinaryPrimitives.ReadInt32LittleEndian(receiveHeader);
        int expected = destination.Length * sizeof(float);
        if (bytes != expected) throw new InvalidDataException($"data plane peer {Peer} sent a frame of {bytes} bytes where {expected} were expected");
        await ReadExactlyAsync(FloatBytes.Of(destination), cancellationToken);
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
