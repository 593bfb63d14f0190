using System.Text.Json;
using ZstdSharp;

namespace ActorTrain.Data.Output;

/// <summary>
/// Appends JSON lines to a .jsonl.zst file, written under a temporary name and renamed into place
/// on <see cref="Complete"/>, so a crash never leaves a half-written shard under its final name.
/// Fixed compression level and one thread: the same lines give the same bytes.
/// </summary>
/// <remarks>
/// Level 3, zstd's own default: on cleaned web text it compressed at ~210 MB/s against ~30 MB/s for level 9, for files
/// 5% larger (ratio 4.54 against 4.80). At level 9 writing took a third of the ingest path, which writes every kept
/// document twice (the chunk, then the shard's output).
/// </remarks>
public sealed class JsonlZstWriter : IDisposable
{
    private const int Level = 3;
    private readonly AtomicFile file;
    private readonly CompressionStream compressor;
    private readonly Utf8JsonWriter json;
    private bool completed;

    public JsonlZstWriter(string path)
    {
        file = new AtomicFile(path);
        compressor = new CompressionStream(file.Stream, Level, leaveOpen: true);
        json = new Utf8JsonWriter(compressor, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public long Lines { get; private set; }

    /// <summary>Writes one line: <paramref name="write"/> emits exactly one JSON value.</summary>
    public void Append(Action<Utf8JsonWriter> write)
    {
        write(json);
        json.Flush();
        json.Reset();
        compressor.WriteByte((byte)'\n');
        Lines++;
    }

    /// <summary>Ends the zstd frame, then fsyncs and renames the file to its final name.</summary>
    public void Complete()
    {
        json.Dispose();
        compressor.Dispose();
        file.Commit();
        completed = true;
    }

    public void Dispose()
    {
        if (completed) return;
        json.Dispose();
        compressor.Dispose();
        file.Dispose();
    }
}
