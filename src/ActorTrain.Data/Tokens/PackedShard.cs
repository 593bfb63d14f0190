using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;

namespace ActorTrain.Data.Tokens;

/// <summary>
/// A packed token shard, memory-mapped. Opening checks the header against the file's size and,
/// unless told not to, the payload checksum: a shard that fails either is refused with an
/// <see cref="InvalidDataException"/> naming the file and what is wrong.
/// </summary>
public sealed unsafe class PackedShard : IDisposable
{
    private readonly MemoryMappedFile map;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* start;

    private PackedShard(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* start, int bytesPerToken,
        int vocabularySize, int endOfText, long tokens, int documents)
    {
        Path = path;
        this.map = map;
        this.view = view;
        this.start = start;
        BytesPerToken = bytesPerToken;
        VocabularySize = vocabularySize;
        EndOfText = endOfText;
        Tokens = tokens;
        Documents = documents;
    }

    public string Path { get; }
    public int BytesPerToken { get; }
    public int VocabularySize { get; }
    public int EndOfText { get; }
    public long Tokens { get; }
    public int Documents { get; }

    /// <exception cref="InvalidDataException">Not a packed shard, or a damaged one; the message names the file.</exception>
    public static PackedShard Open(string path, bool verifyChecksum = true)
    {
        long length = new FileInfo(path).Length;
        if (length < PackedShardFormat.HeaderBytes) throw Damaged(path, $"{length} bytes is shorter than the {PackedShardFormat.HeaderBytes}-byte header");
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        start += view.PointerOffset;
        try
        {
            var header = new ReadOnlySpan<byte>(start, PackedShardFormat.HeaderBytes);
            if (!header[..8].SequenceEqual(PackedShardFormat.Magic)) throw Damaged(path, "no ATTOKENS magic: not a packed token shard");
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
            if (version != PackedShardFormat.Version) throw Damaged(path, $"format version {version}, this build reads {PackedShardFormat.Version}");
            int bytesPerToken = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
            if (bytesPerToken is not (2 or 4)) throw Damaged(path, $"token width of {bytesPerToken} bytes (expected 2 or 4)");
            int vocabulary = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
            int endOfText = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
            long tokens = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
            long documents = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            ulong expectedChecksum = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
            long expectedLength = PackedShardFormat.HeaderBytes + tokens * bytesPerToken + 8 * (documents + 1);
            if (tokens < 0 || documents < 0 || documents > int.MaxValue || expectedLength != length)
                throw Damaged(path, $"header says {tokens} tokens and {documents} documents ({expectedLength} bytes) but the file has {length} bytes (truncated or torn?)");
            if (verifyChecksum)
            {
                ulong actual = PayloadChecksum(start, length);
                if (actual != expectedChecksum) throw Damaged(path, $"payload checksum {actual:x16} does not match the header's {expectedChecksum:x16} (corrupt)");
            }
            return new PackedShard(path, map, view, start, bytesPerToken, vocabulary, endOfText, tokens, (int)documents);
        }
        catch
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            map.Dispose();
            throw;
        }
    }

    public int this[long position]
    {
        get
        {
            if ((ulong)position >= (ulong)Tokens) throw new ArgumentOutOfRangeException(nameof(position), $"token {position} of {Tokens}");
            byte* at = start + PackedShardFormat.HeaderBytes + position * BytesPerToken;
            return BytesPerToken == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(at, 2)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(at, 4));
        }
    }

    /// <summary>Copies tokens [position, position + destination.Length) into <paramref name="destination"/>.</summary>
    public void Read(long position, Span<int> destination)
    {
        if (position < 0 || position + destination.Length > Tokens)
            throw new ArgumentOutOfRangeException(nameof(position), $"tokens [{position}, {position + destination.Length}) of {Tokens}");
        for (int i = 0; i < destination.Length; i++) destination[i] = this[position + i];
    }

    /// <summary>Token range of document <paramref name="document"/>, its end-of-text included.</summary>
    public (long Start, long End) DocumentRange(int document)
    {
        if ((uint)document >= (uint)Documents) throw new ArgumentOutOfRangeException(nameof(document), $"document {document} of {Documents}");
        byte* index = start + PackedShardFormat.HeaderBytes + Tokens * BytesPerToken;
        long from = (long)BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(index + 8L * document, 8));
        long to = (long)BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(index + 8L * (document + 1), 8));
        return (from, to);
    }

    public void Dispose()
    {
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        map.Dispose();
    }

    // Streamed in 1 GiB spans: a span cannot cover more than 2^31 bytes.
    private static ulong PayloadChecksum(byte* start, long length)
    {
        const int step = 1 << 30;
        var hash = new XxHash3();
        for (long at = PackedShardFormat.HeaderBytes; at < length; at += step)
            hash.Append(new ReadOnlySpan<byte>(start + at, (int)Math.Min(step, length - at)));
        return hash.GetCurrentHashAsUInt64();
    }

    private static InvalidDataException Damaged(string path, string what) => new($"{path}: {what}");
}
