using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ActorTrain.Processes;

/// <summary>POSIX signals to child processes (.NET's Process can only SIGKILL).</summary>
public static class ProcessSignals
{
    private const int Sigterm = 15;

    /// <summary>SIGTERM: asks the process to stop (an ActorTrain node leaves its cluster first).
    /// False when it had already exited.</summary>
    /// <exception cref="InvalidOperationException">kill(2) failed for another reason.</exception>
    public static bool Terminate(Process process)
    {
        if (process.HasExited) return false;
        if (Kill(process.Id, Sigterm) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        const int NoSuchProcess = 3;
        return errno == NoSuchProcess ? false : throw new InvalidOperationException($"kill -TERM {process.Id} failed: errno {errno}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
