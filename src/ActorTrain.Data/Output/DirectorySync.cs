using System.Runtime.InteropServices;

namespace ActorTrain.Data.Output;

/// <summary>fsync of a directory, which makes a rename inside it durable (.NET has no API for it).</summary>
public static partial class DirectorySync
{
    private const int ReadOnly = 0, Directory = 0x10000; // O_RDONLY, O_DIRECTORY on Linux

    /// <exception cref="IOException">The directory could not be opened or synced.</exception>
    public static void Flush(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        int descriptor = Open(path, ReadOnly | Directory);
        if (descriptor < 0) throw new IOException($"{path}: cannot open the directory to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(descriptor) != 0) throw new IOException($"{path}: fsync of the directory failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
