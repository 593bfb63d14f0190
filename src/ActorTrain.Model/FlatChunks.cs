using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>
/// Ordered float tensors on the CPU seen as one flat buffer (the first tensor's elements, then the next's), read
/// and written a chunk at a time. A model's gradients, and a replica's whole state (three floats a parameter),
/// may pass 2^31 - 1 floats, the most a .NET array holds (a replica state does at about 715M parameters), and
/// concatenating them into a tensor first, then copying that into an array, holds them twice more. Chunks lift the
/// limit, and a reader that goes a chunk at a time holds one chunk more, not the whole buffer twice. Chunk i covers
/// the flat elements [i * ChunkLength, (i + 1) * ChunkLength), so two replicas of one model cut the same chunks.
/// </summary>
public sealed class FlatChunks
{
    /// <summary>16 Mi floats (64 MiB): large enough that a ring operation's per-chunk handshakes cost nothing
    /// against its transfer, small enough to leave the memory of a large model's buffers alone.</summary>
    public const int DefaultChunkLength = 16 << 20;

    private readonly Tensor[] tensors;
    private readonly long[] starts;

    /// <exception cref="ArgumentException">A tensor that is not a contiguous float32 CPU tensor, whose memory cannot be
    /// read in place.</exception>
    public FlatChunks(IEnumerable<Tensor> tensors, int chunkLength = DefaultChunkLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkLength);
        this.tensors = [.. tensors];
        starts = new long[this.tensors.Length];
        long at = 0;
        for (int i = 0; i < this.tensors.Length; i++)
        {
            var tensor = this.tensors[i];
            if (tensor.device_type != DeviceType.CPU || tensor.dtype != ScalarType.Float32 || !tensor.is_contiguous())
                throw new ArgumentException($"tensor {i} of a flat buffer is {tensor.dtype} on {tensor.device} (contiguous: {tensor.is_contiguous()}); it must be a contiguous float32 CPU tensor");
            starts[i] = at;
            at += tensor.numel();
        }
        Length = at;
        ChunkLength = chunkLength;
    }

    /// <summary>Floats in all the tensors together.</summary>
    public long Length { get; }

    public int ChunkLength { get; }

    public int Count => checked((int)((Length + ChunkLength - 1) / ChunkLength));

    public int LengthOf(int chunk)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunk);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(chunk, Count);
        return (int)Math.Min(ChunkLength, Length - (long)chunk * ChunkLength);
    }

    /// <summary>Copies chunk <paramref name="chunk"/> out of the tensors into <paramref name="into"/>, which must be exactly as long.</summary>
    public void Read(int chunk, Span<float> into)
    {
        CheckLength(chunk, into.Length);
        foreach (var piece in Pieces(chunk)) Memory(piece).CopyTo(into.Slice(piece.At, piece.Count));
    }

    /// <summary>Copies <paramref name="from"/>, exactly chunk <paramref name="chunk"/>'s length, into the tensors.</summary>
    public void Write(int chunk, ReadOnlySpan<float> from)
    {
        CheckLength(chunk, from.Length);
        foreach (var piece in Pieces(chunk)) from.Slice(piece.At, piece.Count).CopyTo(Memory(piece));
    }

    private void CheckLength(int chunk, int length)
    {
        if (length != LengthOf(chunk)) throw new ArgumentException($"chunk {chunk} of {Count} holds {LengthOf(chunk)} floats, given {length}");
    }

    // One tensor's share of a chunk: its elements [From, From + Count), at At in the chunk.
    private readonly record struct Piece(int Tensor, long From, int At, int Count);

    private IEnumerable<Piece> Pieces(int chunk)
    {
        long begin = (long)chunk * ChunkLength, end = begin + LengthOf(chunk);
        int first = Array.BinarySearch(starts, begin);
        // Not found: the complement of the next larger start; the chunk begins inside the tensor before it.
        // Several tensors may start at begin (empty ones); the walk below skips them.
        for (int i = first >= 0 ? first : ~first - 1; i < tensors.Length && starts[i] < end; i++)
        {
            long from = Math.Max(begin, starts[i]), to = Math.Min(end, starts[i] + tensors[i].numel());
            if (to > from) yield return new Piece(i, from - starts[i], (int)(from - begin), (int)(to - from));
        }
    }

    // The tensor's own memory; the storage's data pointer is the start of the storage, not of this tensor.
    private unsafe Span<float> Memory(Piece piece)
    {
        var tensor = tensors[piece.Tensor];
        nint address = tensor.storage<float>().data_ptr() + (nint)((tensor.storage_offset() + piece.From) * sizeof(float));
        return new Span<float>((void*)address, piece.Count);
    }
}
