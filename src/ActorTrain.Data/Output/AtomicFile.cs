namespace ActorTrain.Data.Output;

/// <summary>
/// A file that appears under its name only complete: written as "NAME.partial", then fsynced and
/// renamed by <see cref="Commit"/>, and its directory fsynced; disposed without a commit, the partial file is deleted. A crash
/// at any moment leaves either the old file or the whole new one, never half of it.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private readonly string path;
    private readonly string temporary;
    private bool committed;

    public AtomicFile(string path)
    {
        this.path = path;
        temporary = path + ".partial";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
    }

    /// <summary>Where to write. Wrapping streams must leave it open: <see cref="Commit"/> flushes it.</summary>
    public FileStream Stream { get; }

    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        File.Move(temporary, path, overwrite: true);
        committed = true;
        // The rename is durable only once its directory is: what is journaled as written next must survive a power loss.
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public void Dispose()
    {
        if (committed) return;
        Stream.Dispose();
        File.Delete(temporary);
    }
}
