using System.IO.Compression;
using ZstdSharp;

namespace ActorTrain.Data.Collection;

/// <summary>Opens a file, decompressing .gz and .zst transparently (streaming).</summary>
public static class CompressedFile
{
    public static Stream Open(string path)
    {
        Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".gz" => new GZipStream(file, CompressionMode.Decompress),
            ".zst" => new DecompressionStream(file),
            _ => file,
        };
    }

    /// <summary>The name without its compression extension: "a.jsonl.zst" -> "a.jsonl".</summary>
    public static string InnerName(string path)
    {
        string name = Path.GetFileName(path);
        string extension = Path.GetExtension(name).ToLowerInvariant();
        return extension is ".gz" or ".zst" ? Path.GetFileNameWithoutExtension(name) : name;
    }
}
