using System.Buffers.Binary;
using System.IO.Hashing;
using ActorTrain.Data.Output;

namespace ActorTrain.Data.Tokens;

/// <summary>
/// Writes a packed token shard: documents appended one at a time (streamed to a temporary file),
/// then <see cref="Complete"/> adds the index and header, fsyncs and renames into place.
/// </summary>
public sealed class PackedShardWriter : IDisposable
{
    private readonly int vocabularySize;
    private readonly int endOfText;
    private readonly int bytesPerToken;
    private readonly AtomicFile file;
    private readonly XxHash3 checksum = new();
    private readonly List<long> offsets = [0];
    private readonly byte[] buffer = new byte[1 << 16];
    private long tokens;
    private bool completed;

    public PackedShardWriter(string path, int vocabularySize, int endOfText)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        if (endOfText < 0 || endOfText >= vocabularySize)
            throw new ArgumentOutOfRangeException(nameof(endOfText), $"end-of-text id {endOfText} is outside the vocabulary of {vocabularySize}");
        this.vocabularySize = vocabularySize;
        this.endOfText = endOfText;
        bytesPerToken = PackedShardFormat.BytesPerToken(vocabularySize);
        file = new AtomicFile(path);
        file.Stream.Write(new byte[PackedShardFormat.HeaderBytes]); // filled in by Complete
    }

    public long Tokens => tokens;

    public int Documents => offsets.Count - 1;

    /// <summary>Appends a document's tokens and an end-of-text.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A token id is outside the vocabulary.</exception>
    public void AddDocument(ReadOnlySpan<int> document)
    {
        int used = 0;
        for (int i = 0; i <= document.Length; i++)
        {
            int token = i < document.Length ? document[i] : endOfText;
            if ((uint)token >= (uint)vocabularySize)
                throw new ArgumentOutOfRangeException(nameof(document), $"token {token} at position {i} is outside the vocabulary of {vocabularySize}");
            if (used + bytesPerToken > buffer.Length)
            {
                Flush(used);
                used = 0;
            }
            if (bytesPerToken == 2) BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(used), (ushort)token);
            else BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(used), (uint)token);
            used += bytesPerToken;
        }
        Flush(used);
        tokens += document.Length + 1;
        offsets.Add(tokens);
    }

    public void Complete()
    {
        var index = new byte[8 * offsets.Count];
        for (int i = 0; i < offsets.Count; i++) BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(8 * i), (ulong)offsets[i]);
        file.Stream.Write(index);
        checksum.Append(index);

        var header = new byte[PackedShardFormat.HeaderBytes];
        PackedShardFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), PackedShardFormat.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)bytesPerToken);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)vocabularySize);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)endOfText);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), (ulong)tokens);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), (ulong)Documents);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(40), checksum.GetCurrentHashAsUInt64());
        file.Stream.Position = 0;
        file.Stream.Write(header);
        file.Commit();
        completed = true;
    }

    public void Dispose()
    {
        if (!completed) file.Dispose();
    }

    private void Flush(int used)
    {
        file.Stream.Write(buffer, 0, used);
        checksum.Append(buffer.AsSpan(0, used));
    }
}
