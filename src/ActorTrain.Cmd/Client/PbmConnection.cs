using System.Net.Sockets;
using ActorTrain.Cmd.Palettes;
using ActorTrain.Cmd.Wire;

namespace ActorTrain.Cmd.Client;

/// <summary>A client's connection to a node's command host: hello (with the token), the palettes it offers, then commands.</summary>
public sealed class PbmConnection : IAsyncDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private readonly TcpClient client;
    private readonly FrameChannel channel;
    private long nextId;

    private PbmConnection(TcpClient client, FrameChannel channel, Welcome welcome)
    {
        this.client = client;
        this.channel = channel;
        Node = welcome.Node;
        Palettes = welcome.Palettes;
    }

    public string Node { get; }

    public IReadOnlyList<PaletteDefinition> Palettes { get; }

    /// <exception cref="PbmException">Unreachable within <see cref="ConnectTimeout"/>, refused (token), or not a command host.</exception>
    public static async Task<PbmConnection> OpenAsync(string host, int port, string? token, CancellationToken cancellationToken = default)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            try
            {
                await client.ConnectAsync(host, port, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                throw new PbmException($"cannot reach {host}:{port}: {(e is SocketException s ? s.Message : $"no answer within {ConnectTimeout.TotalSeconds:0}s")}");
            }
            var channel = new FrameChannel(client.GetStream());
            await channel.WriteAsync(new Hello(token, $"pbm {typeof(PbmConnection).Assembly.GetName().Version}"), timeout.Token);
            CmdMessage? answer;
            try
            {
                answer = await channel.ReadAsync(timeout.Token);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or OperationCanceledException)
            {
                throw new PbmException($"{host}:{port} is not an ActorTrain command host ({e.Message})");
            }
            return answer switch
            {
                Welcome welcome => new PbmConnection(client, channel, welcome),
                Refused refused => throw new PbmException($"{host}:{port} refused the connection: {refused.Reason}"),
                ProtocolError error => throw new PbmException($"{host}:{port}: {error.Message}"),
                _ => throw new PbmException($"{host}:{port} closed the connection without a welcome"),
            };
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command, handing each piece of its output to <paramref name="write"/> as it streams in;
    /// cancelling asks the host to stop it (Ctrl+C on a tail) and waits for its end.</summary>
    /// <returns>Whether the command succeeded, the host's message when it did not, and whether that was a usage error.</returns>
    /// <exception cref="CommandLineException">The command line is larger than a frame.</exception>
    public async Task<(bool Ok, string? Message, bool UsageError)> ExecuteAsync(IReadOnlyList<string> words, Action<string> write, CancellationToken cancellationToken = default)
    {
        long id = ++nextId;
        try
        {
            await channel.WriteAsync(new Execute(id, words));
        }
        catch (InvalidOperationException)
        {
            throw new CommandLineException($"the command line is {words.Sum(w => w.Length + 1)} characters; a command takes at most {FrameChannel.MaxFrameBytes / 1024} KiB");
        }
        var pieces = new System.Text.StringBuilder(); // of an output larger than a frame, until its last piece
        using var cancelling = cancellationToken.Register(() => _ = channel.WriteAsync(new Cancel(id)));
        while (true)
        {
            var message = await channel.ReadAsync(CancellationToken.None)
                ?? throw new PbmException($"{Node} closed the connection while the command ran");
            switch (message)
            {
                case Output { Partial: true } piece when piece.Id == id:
                    pieces.Append(piece.Text);
                    break;
                case Output output when output.Id == id:
                    write(pieces.Length == 0 ? output.Text : pieces.Append(output.Text).ToString());
                    pieces.Clear();
                    break;
                case End end when end.Id == id:
                    return (end.Ok, end.Message, end.UsageError);
                case ProtocolError error:
                    throw new PbmException($"{Node}: {error.Message}");
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The node could not be reached or refused us; the message says which and where.</summary>
public sealed class PbmException(string message) : Exception(message);
