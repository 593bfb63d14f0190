using System.Diagnostics;
using ActorTrain.Node.Commands;
using ActorTrain.Processes;

namespace ActorTrain.Node.LocalCluster;

/// <summary>
/// One `actortrain node` process of a local cluster. Its output lines are forwarded with the node's
/// name in front; its "pbm: HOST:PORT" line (the last a node prints when it is Up) marks it ready.
/// </summary>
public sealed class ChildNode : IDisposable
{
    private readonly Process process;
    private readonly TextWriter output;
    private readonly TaskCompletionSource<string> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildNode(PlannedNode plan, Process process, TextWriter output)
    {
        Plan = plan;
        this.process = process;
        this.output = output;
    }

    public PlannedNode Plan { get; }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>The node's Prometheus endpoint, when it printed one.</summary>
    public string? MetricsUrl { get; private set; }

    /// <summary>Completes with the node's pbm HOST:PORT once it is Up; fails when it exits first.</summary>
    public Task<string> Ready => ready.Task;

    /// <param name="output">Shared by every node; written under its own lock so lines never interleave.</param>
    public static ChildNode Start(PlannedNode plan, TextWriter output)
    {
        // The launcher owns the terminal's Ctrl+C and stops the nodes in order; a launcher that dies without doing so
        // (SIGKILL, a closed terminal) closes their standard input, and they leave the cluster on their own.
        var start = SelfInvocation.With([.. plan.Arguments, NodeCommand.StopWithParentOption]);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new ChildNode(plan, process, output);
        process.OutputDataReceived += (_, line) => node.Forward(line.Data);
        process.ErrorDataReceived += (_, line) => node.Forward(line.Data);
        process.Exited += (_, _) => node.ready.TrySetException(
            new InvalidOperationException($"{plan.Name} exited with code {process.ExitCode} before it was up (its lines above say why)"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    private void Forward(string? line)
    {
        if (line is null) return;
        lock (output)
        {
            output.WriteLine($"[{Plan.Name}] {line}");
            output.Flush();
        }
        if (line.StartsWith("metrics: ", StringComparison.Ordinal)) MetricsUrl = line["metrics: ".Length..].Trim();
        if (line.StartsWith("pbm: ", StringComparison.Ordinal)) ready.TrySetResult(line["pbm: ".Length..].Trim());
    }

    /// <summary>SIGTERM: the node leaves the cluster gracefully, then exits. True when it was still running.</summary>
    public bool Terminate() => ProcessSignals.Terminate(process);

    /// <summary>Waits for the exit and the last forwarded line; false when <paramref name="patience"/> ran out.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan patience)
    {
        using var deadline = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL, for a node that did not leave in time.</summary>
    public void KillNow()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
    }

    public void Dispose()
    {
        KillNow();
        process.Dispose();
    }
}
