using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorTrain.Processes;

namespace ActorTrain.Chaos;

/// <summary>
/// `actortrain node` as a real process on loopback (the built executable next to the tests), with its
/// output kept for the test's failure message. Killed (SIGKILL), stopped (SIGTERM, a graceful leave) or frozen (SIGSTOP).
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(string name, int port, int metricsPort, string[] arguments, NodePlace place, Process process)
    {
        Name = name;
        Port = port;
        MetricsPort = metricsPort;
        Arguments = arguments;
        Place = place;
        this.process = process;
    }

    /// <summary>Where the node runs: its address, and the network namespace it is started in, if any.</summary>
    public NodePlace Place { get; }

    /// <summary>The arguments after the ones every node gets (see <see cref="Start(string, int, int, string[])"/>).</summary>
    public IReadOnlyList<string> Arguments { get; }

    public int MetricsPort { get; }

    /// <summary>The process id, known from the start (and still after the process is gone).</summary>
    public int ProcessId { get; private set; }

    /// <summary>The same node started again (same name, ports and arguments), as an operator restarts a dead one.</summary>
    public NodeProcess Restart() => Start(Name, Port, MetricsPort, Place, [.. Arguments]);

    public string Name { get; }

    public int Port { get; }

    /// <summary>HOST:PORT, as seeds and `--cluster` take it.</summary>
    public string Address => $"{Place.Host}:{Port}";

    public string Output
    {
        get
        {
            lock (output) return output.ToString();
        }
    }

    public bool HasExited => process.HasExited;

    /// <summary>HOST:PORT of the node's command host, once it is up.</summary>
    public string? CommandAddress { get; private set; }

    /// <summary>The node's Prometheus endpoint, once it is up.</summary>
    public string? MetricsUrl { get; private set; }

    /// <param name="arguments">After `node --port PORT --cmd-port 0 --metrics-port FREE --config local`.</param>
    public static NodeProcess Start(string name, int port, params string[] arguments) => Start(name, port, FreePort(), arguments);

    /// <param name="metricsPort">Of the node's HTTP endpoint (metrics, probes, bootstrap contact point).</param>
    public static NodeProcess Start(string name, int port, int metricsPort, params string[] arguments) =>
        Start(name, port, metricsPort, NodePlace.Loopback, arguments);

    /// <param name="place">Its address (--host, the data plane's) and the command that runs it in its network namespace.</param>
    public static NodeProcess Start(string name, int port, int metricsPort, NodePlace place, params string[] arguments)
    {
        string[] command = [.. place.Prefix, "dotnet", Path.Combine(AppContext.BaseDirectory, "actortrain.dll"), "node", "--host", place.Host,
            "--port", port.ToString(), "--cmd-port", "0", "--metrics-port", metricsPort.ToString(), .. arguments, "--config", "local"]; // the first --config wins: the caller's over the profile
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in command[1..]) start.ArgumentList.Add(argument);
        if (place.Host != NodePlace.Loopback.Host) start.Environment["ACTORTRAIN__TRAINING__DATA_PLANE_HOST"] = place.Host;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(name, port, metricsPort, arguments, place, process);
        process.OutputDataReceived += (_, line) => node.Record(line.Data);
        process.ErrorDataReceived += (_, line) => node.Record(line.Data);
        process.Exited += (_, _) => node.up.TrySetException(new NodeFailedException($"node {name} exited with {process.ExitCode}:\n{node.Output}"));
        process.Start();
        node.ProcessId = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    private void Record(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] {line}");
        if (line.StartsWith("metrics: ", StringComparison.Ordinal)) MetricsUrl = line["metrics: ".Length..].Trim();
        if (line.StartsWith("pbm: ", StringComparison.Ordinal))
        {
            CommandAddress = line["pbm: ".Length..].Trim();
            up.TrySetResult();
        }
    }

    public async Task WaitUpAsync(TimeSpan timeout)
    {
        if (await Task.WhenAny(up.Task, Task.Delay(timeout)) != up.Task) throw new TimeoutException($"node {Name} was not up within {timeout.TotalSeconds:0}s:\n{Output}");
        await up.Task;
    }

    /// <summary>The exit code, once the process has exited.</summary>
    public int ExitCode => process.ExitCode;

    /// <summary>Waits for the process to end and its output to be read to the last line.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGKILL: the node dies without a word to the cluster.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGSTOP: the node hangs (sockets open, nothing read or sent) until <see cref="Thaw"/> or a kill.</summary>
    public void Freeze() => ProcessSignals.Freeze(process);

    /// <summary>SIGCONT: a frozen node runs on.</summary>
    public void Thaw() => ProcessSignals.Thaw(process);

    /// <summary>SIGTERM: the node leaves the cluster, then exits.</summary>
    /// <returns>Its exit code.</returns>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        ProcessSignals.Terminate(process);
        using var deadline = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(deadline.Token);
        return process.ExitCode;
    }

    /// <summary>SIGTERM, and SIGKILL when the node has not left within <paramref name="patience"/>; nothing when it has already exited.</summary>
    public async Task StopOrKillAsync(TimeSpan patience)
    {
        if (process.HasExited) return;
        try
        {
            await StopAsync(patience);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) await KillAsync();
        process.Dispose();
    }

    /// <summary>A loopback port nothing listens on now, and not handed out before in this process: a node is given
    /// its ports before it binds them, and the kernel may offer a port just offered to another node (a CI run saw a
    /// node's metrics port equal to the next node's remoting port).</summary>
    public static int FreePort()
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (HandedOut)
            {
                if (HandedOut.Add(port)) return port;
            }
        }
    }

    private static readonly HashSet<int> HandedOut = [];
}
