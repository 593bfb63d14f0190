using System.Net;
using System.Net.Sockets;
using ActorTrain.Cmd.Palettes;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Cmd.Host;

/// <summary>
/// The command host of a node: accepts `pbm` connections and gives each its own session actor, which
/// checks the token, offers the palettes and runs the commands. A connection that misbehaves is closed
/// on its own; the host and the other connections carry on.
/// </summary>
public sealed class CommandHost : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;

    private CommandHost(ActorSystem system, TcpListener listener, IReadOnlyList<PaletteHandler> palettes, string? token)
    {
        this.listener = listener;
        Endpoint = (IPEndPoint)listener.LocalEndpoint;
        accepting = AcceptAsync(system, palettes, token);
    }

    public IPEndPoint Endpoint { get; }

    /// <exception cref="SocketException">The address is taken or cannot be bound.</exception>
    public static CommandHost Start(ActorSystem system, CommandHostSettings settings, IEnumerable<PaletteHandler> palettes)
    {
        var listener = new TcpListener(settings.Host, settings.Port);
        listener.Start();
        var all = palettes.ToArray();
        var duplicate = all.GroupBy(p => p.Definition.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            listener.Stop();
            throw new ArgumentException($"palette '{duplicate.Key}' is registered twice");
        }
        return new CommandHost(system, listener, all, settings.Token);
    }

    private async Task AcceptAsync(ActorSystem system, IReadOnlyList<PaletteHandler> palettes, string? token)
    {
        long sessions = 0;
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stopping.IsCancellationRequested) return;
                system.Log.Warning("command host: accept failed: {0}", e.Message);
                continue;
            }
            client.NoDelay = true;
            system.ActorOf(CommandSessionActor.Props(client, palettes, token), $"pbm-session-{++sessions}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await accepting;
    }
}
