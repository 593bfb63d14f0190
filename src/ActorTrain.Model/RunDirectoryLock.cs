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
    /// <exception cref="InvalidDataException">The directory cannot be, or hold, a run: a file is in the way.</exception>
    public static RunDirectoryLock Take(string runDirectory)
    {
        // Found here, before a step is trained: a checkpoints file or a run under a file used to fail at the first
        // checkpoint, after the steps had been trained, with .NET's "Could not find a part of the path".
        if (FileInTheWay(runDirectory) is string file)
            throw new InvalidDataException($"run directory {runDirectory} cannot be created: {file} is a file");
        Directory.CreateDirectory(runDirectory);
        string checkpoints = Path.Combine(runDirectory, Checkpoint.DirectoryName);
        if (File.Exists(checkpoints))
            throw new InvalidDataException($"{checkpoints} is a file, where a run keeps its checkpoints: move it away or give another --run");
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

    // The path itself or the nearest existing ancestor, when that is a file.
    private static string? FileInTheWay(string runDirectory)
    {
        for (string? path = Path.GetFullPath(runDirectory); !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path)) return path;
            if (Directory.Exists(path)) return null;
        }
        return null;
    }
}
