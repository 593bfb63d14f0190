using System.Buffers.Binary;
using System.Text.Json;

namespace ActorTrain.Cmd.Wire;

/// <summary>
/// Length-prefixed frames over a stream: a 4-byte big-endian length, then that many bytes of one
/// UTF-8 JSON <see cref="CmdMessage"/>. A frame larger than <see cref="MaxFrameBytes"/>, or one that is
/// not a message, is an <see cref="InvalidDataException"/> saying which; writes are serialized so
/// several commands can stream at once.
/// </summary>
public sealed class FrameChannel(Stream stream) : IAsyncDisposable
{
    public const int MaxFrameBytes = 1 << 20;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim writing = new(1, 1);

    /// <returns>The next message, or null when the other side closed the connection between frames.</returns>
    /// <exception cref="InvalidDataException">Oversized, truncated or not a message.</exception>
    public async Task<CmdMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        var header = new byte[4];
        int got = await ReadFullyAsync(header, cancellationToken);
        if (got == 0) return null;
        if (got < 4) throw new InvalidDataException("the connection closed inside a frame header");
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 2 or > MaxFrameBytes) throw new InvalidDataException($"a frame of {length} bytes (frames are 2 bytes to {MaxFrameBytes} bytes)");
        var payload = new byte[length];
        if (await ReadFullyAsync(payload, cancellationToken) < length) throw new InvalidDataException($"the connection closed inside a frame of {length} bytes");
        try
        {
            return JsonSerializer.Deserialize<CmdMessage>(payload, Json) ?? throw new InvalidDataException("a frame holding null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new InvalidDataException($"a frame that is not a command message: {e.Message}");
        }
    }

    public async Task WriteAsync(CmdMessage message, CancellationToken cancellationToken = default)
    {
        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(message, Json);
        if (payload.Length > MaxFrameBytes) throw new InvalidOperationException($"a {message.GetType().Name} of {payload.Length} bytes is larger than a frame");
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        await writing.WaitAsync(cancellationToken);
        try
        {
            await stream.WriteAsync(frame, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        finally
        {
            writing.Release();
        }
    }

    private async Task<int> ReadFullyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    public async ValueTask DisposeAsync() => await stream.DisposeAsync();
}
