using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ActorTrain.Processes;

/// <summary>POSIX signals to child processes (.NET's Process can only SIGKILL).</summary>
public static class ProcessSignals
{
    private const int Sigint = 2, Sigterm = 15, Sigcont = 18, Sigstop = 19;

    /// <summary>SIGTERM: asks the process to stop (an ActorTrain node leaves its cluster first).
    /// False when it had already exited.</summary>
    /// <exception cref="InvalidOperationException">kill(2) failed for another reason.</exception>
    public static bool Terminate(Process process) => Send(process, Sigterm, "TERM");

    /// <summary>SIGINT: what Ctrl+C in a terminal sends. False when it had already exited.</summary>
    public static bool Interrupt(Process process) => Send(process, Sigint, "INT");

    /// <summary>SIGSTOP: freezes the process (its sockets stay open and its kernel still answers TCP, but it
    /// reads and sends nothing): a hung node, as opposed to a dead one. False when it had already exited.</summary>
    public static bool Freeze(Process process) => Send(process, Sigstop, "STOP");

    /// <summary>SIGCONT: a frozen process runs on. False when it had already exited.</summary>
    public static bool Thaw(Process process) => Send(process, Sigcont, "CONT");

    private static bool Send(Process process, int signal, string name)
    {
        if (process.HasExited) return false;
        if (Kill(process.Id, signal) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        const int NoSuchProcess = 3;
        return errno == NoSuchProcess ? false : throw new InvalidOperationException($"kill -{name} {process.Id} failed: errno {errno}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
