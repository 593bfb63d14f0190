using System.Runtime.InteropServices;

namespace ActorTrain.Node;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM for the commands that run their work in this process (train, ingest, demo). The first
/// signal cancels <see cref="Token"/>, and the command stops where its work is safe to resume (a checkpoint written, a
/// chunk journaled); a second one is not held and ends the process. Spectre.Console.Cli handles neither signal, so
/// without this a Ctrl+C killed the process mid-step, losing the steps since the last checkpoint.
/// </summary>
public sealed class Interruption : IDisposable
{
    /// <summary>What an interrupted command exits with (128 + SIGINT, as shells report it).</summary>
    public const int ExitCode = 130;

    private readonly CancellationTokenSource source;
    private readonly PosixSignalRegistration interrupt, terminate;

    public Interruption(CancellationToken outer)
    {
        source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => source.Token;

    public bool Requested => source.IsCancellationRequested;

    private void Handle(PosixSignalContext signal)
    {
        if (source.IsCancellationRequested) return;
        signal.Cancel = true;
        source.Cancel();
    }

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
        source.Dispose();
    }
}
