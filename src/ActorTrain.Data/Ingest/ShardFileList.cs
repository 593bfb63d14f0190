using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ActorTrain.Data.Output;

namespace ActorTrain.Data.Ingest;

/// <summary>
/// A data shard's planned input files, kept in a file in the shard's directory instead of in messages and
/// journal events: the list of a large code tree would not fit a remoting frame (16 MiB is ~160 000 paths),
/// and inline it was journaled twice and written into every snapshot of the shard. A job's submitted sources,
/// when too many to journal, are kept the same way beside its plan. One JSON string per line
/// (a path may hold any character but NUL), written atomically; the count and SHA-256 recorded at planning are
/// checked on every read, so a list changed, cut or lost since is refused rather than read as another plan.
/// </summary>
/// <param name="Path">The list's file.</param>
/// <param name="Count">How many files it names.</param>
/// <param name="Sha256">Of the file's bytes, lower-case hex.</param>
public sealed record ShardFileList(string Path, int Count, string Sha256)
{
    /// <summary>Where a shard keeps its list: beside its chunks.</summary>
    public static string PathIn(string shardDirectory) => System.IO.Path.Combine(shardDirectory, "planned-files.jsonl");

    /// <summary>Writes the list (replacing one already there) and returns what a reader will check it against.</summary>
    public static ShardFileList Write(string path, IReadOnlyCollection<string> files)
    {
        var content = new MemoryStream();
        foreach (string name in files)
        {
            JsonSerializer.Serialize(content, name);
            content.WriteByte((byte)'\n');
        }
        var bytes = content.GetBuffer().AsSpan(0, (int)content.Length);
        using (var file = new AtomicFile(path))
        {
            file.Stream.Write(bytes);
            file.Commit();
        }
        return new ShardFileList(path, files.Count, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <exception cref="InvalidDataException">The file is missing, unreadable, or not the list that was planned.</exception>
    public ImmutableArray<string> Read()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"the planned file list {Path} cannot be read ({e.Message})", e);
        }
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (sha256 != Sha256)
            throw new InvalidDataException($"the planned file list {Path} changed since it was planned (SHA-256 {sha256}, planned {Sha256})");
        // The hash matched what was written, so every line is a JSON string.
        var files = ImmutableArray.CreateBuilder<string>(Count);
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            files.Add(JsonSerializer.Deserialize<string>(line)!);
        if (files.Count != Count)
            throw new InvalidDataException($"the planned file list {Path} names {files.Count} files, planned {Count}");
        return files.MoveToImmutable();
    }
}
