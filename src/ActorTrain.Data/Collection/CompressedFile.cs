using ICSharpCode.SharpZipLib.GZip;
using ZstdSharp;

namespace ActorTrain.Data.Collection;

/// <summary>Opens a file, decompressing .gz and .zst transparently (streaming). Gzip goes through
/// SharpZipLib, which checks every member's CRC and length and throws on a truncated file; .NET's
/// GZipStream ends quietly at the cut, which would pass half a file off as a whole one.</summary>
public static class CompressedFile
{
    public static Stream Open(string path)
    {
        Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".gz" => new GZipInputStream(file),
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
