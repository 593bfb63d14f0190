namespace ActorTrain.Model;

/// <summary>
/// One process at a time trains in a run directory. Two would each write their own run's checkpoints and metrics.jsonl
/// into it, the last writer winning file by file, and both would say they succeeded. Held as an exclusive lock on
/// run.lock for the run's life (FileShare.None, which .NET takes as flock on Unix): the system lets go of it when the
/// process ends, however it ends, so a crashed run never locks its directory.
/// </summary>
public sealed class RunDirectoryLock : IDisposable
{
    public const string FileName = "run.lock";
    private readonly FileStream file;

    private RunDirectoryLock(FileStream file) => this.file = file;

    /// <exception cref="IOException">Another process (or run in this one) trains in the directory; the message says so.</exception>
    public static RunDirectoryLock Take(string runDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        string path = Path.Combine(runDirectory, FileName);
        try
        {
            return new RunDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new IOException($"run directory {runDirectory} is in use by another training process ({path} is locked): wait for it to end, or give another --run", e);
        }
    }

    public void Dispose() => file.Dispose();
}
