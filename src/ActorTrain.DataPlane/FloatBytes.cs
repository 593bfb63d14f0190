using System.Buffers;
using System.Runtime.InteropServices;

namespace ActorTrain.DataPlane;

/// <summary>
/// The bytes of a float array's slice as <see cref="Memory{T}"/> of bytes, so a frame goes between the
/// socket and the gradient buffer itself: the reinterpretation <see cref="MemoryMarshal.AsBytes{T}(Span{T})"/>
/// gives spans only, and socket calls that await need memory. One per frame (a few words; a frame is up to 1 MiB).
/// </summary>
internal sealed unsafe class FloatBytes : MemoryManager<byte>
{
    private readonly float[] array;
    private readonly int start;
    private readonly int count;

    private FloatBytes(ArraySegment<float> floats) => (array, start, count) = (floats.Array!, floats.Offset, floats.Count);

    /// <exception cref="ArgumentException">The memory is not backed by an array (native or pooled unmanaged memory).</exception>
    public static Memory<byte> Of(ReadOnlyMemory<float> floats) =>
        MemoryMarshal.TryGetArray(floats, out var segment)
            ? new FloatBytes(segment).Memory
            : throw new ArgumentException("the data plane sends and receives float arrays; this memory has none behind it");

    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(array.AsSpan(start, count));

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        // The handle frees the pin when the socket operation disposes it.
        var pinned = GCHandle.Alloc(array, GCHandleType.Pinned);
        return new MemoryHandle((byte*)pinned.AddrOfPinnedObject() + (long)start * sizeof(float) + elementIndex, pinned, this);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
