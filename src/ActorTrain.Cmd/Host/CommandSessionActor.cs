using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ActorTrain.Cmd.Palettes;
using ActorTrain.Cmd.Wire;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Cmd.Host;

/// <summary>
/// One `pbm` connection. The first frame must be a <see cref="Hello"/> with the right token (when the
/// host has one) within <see cref="HelloTimeout"/>; nothing runs before. Then each <see cref="Execute"/>
/// is parsed against the palettes and run by its handler, its output streamed back and closed by an
/// <see cref="End"/>; a <see cref="Cancel"/> stops it. A frame that cannot be read ends the connection
/// with a <see cref="ProtocolError"/> saying why.
/// </summary>
public sealed class CommandSessionActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);
    private readonly TcpClient client;
    private readonly FrameChannel channel;
    private readonly IReadOnlyList<PaletteHandler> palettes;
    private readonly string? token;
    private readonly Dictionary<long, CancellationTokenSource> running = [];
    private readonly CancellationTokenSource closing = new();

    public CommandSessionActor(TcpClient client, IReadOnlyList<PaletteHandler> palettes, string? token)
    {
        this.client = client;
        this.palettes = palettes;
        this.token = token;
        channel = new FrameChannel(client.GetStream());
        Receive<Received>(received => Greet(received.Message));
        Receive<HelloMissing>(_ => Close("no hello within 10s"));
        Common();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TcpClient client, IReadOnlyList<PaletteHandler> palettes, string? token) =>
        Akka.Actor.Props.Create(() => new CommandSessionActor(client, palettes, token));

    protected override void PreStart()
    {
        var self = Self;
        Timers.StartSingleTimer("hello", HelloMissing.Instance, HelloTimeout);
        _ = Task.Run(async () =>
        {
            try
            {
                while (await channel.ReadAsync(closing.Token) is { } message) self.Tell(new Received(message));
                self.Tell(new Broken(null));
            }
            catch (InvalidDataException e)
            {
                self.Tell(new Broken(e.Message));
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                self.Tell(new Broken(null));
            }
        });
    }

    protected override void PostStop()
    {
        foreach (var command in running.Values)
        {
            command.Cancel();
            command.Dispose();
        }
        closing.Cancel();
        client.Dispose();
    }

    private void Common()
    {
        Receive<Broken>(broken =>
        {
            if (broken.Problem is null) Context.Stop(Self);
            else Close(broken.Problem);
        });
        Receive<Finished>(finished =>
        {
            // Disposed here, on the actor's thread, not by the command's task: a Cancel (or PostStop) that comes while the
            // task's Finished is on its way would otherwise cancel a disposed source and fail the session.
            if (running.Remove(finished.Id, out var cancellation)) cancellation.Dispose();
            Send(new End(finished.Id, finished.Error is null, finished.Error, finished.UsageError));
        });
    }

    private void Greet(CmdMessage message)
    {
        if (message is not Hello hello)
        {
            Close($"expected hello, got {message.GetType().Name.ToLowerInvariant()}");
            return;
        }
        if (token is not null && (hello.Token is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(hello.Token), Encoding.UTF8.GetBytes(token))))
        {
            Context.GetLogger().Warning("command host: refused {0}: {1} token", client.Client.RemoteEndPoint, hello.Token is null ? "no" : "wrong");
            Send(new Refused(hello.Token is null ? "this node requires a token (--token or PBM_TOKEN)" : "wrong token"));
            Context.Stop(Self);
            return;
        }
        Timers.Cancel("hello");
        Send(new Welcome(Context.System.Name + "@" + Akka.Cluster.Cluster.Get(Context.System).SelfAddress, [.. palettes.Select(p => p.Definition)]));
        Become(() =>
        {
            Receive<Received>(received => Serve(received.Message));
            Receive<HelloMissing>(_ => { });
            Common();
        });
    }

    private void Serve(CmdMessage message)
    {
        switch (message)
        {
            case Execute execute:
                Run(execute);
                break;
            case Cancel cancel:
                if (running.TryGetValue(cancel.Id, out var command)) command.Cancel();
                break;
            default:
                Close($"unexpected {message.GetType().Name.ToLowerInvariant()}");
                break;
        }
    }

    private void Run(Execute execute)
    {
        ParsedCommand parsed;
        try
        {
            parsed = CommandParser.Parse([.. palettes.Select(p => p.Definition)], execute.Words);
        }
        catch (CommandLineException e)
        {
            Send(new End(execute.Id, false, e.Message, UsageError: true));
            return;
        }
        if (running.ContainsKey(execute.Id))
        {
            Send(new End(execute.Id, false, $"command {execute.Id} is already running"));
            return;
        }
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(closing.Token);
        running[execute.Id] = cancellation;
        var handler = palettes.First(p => p.Definition.Name == parsed.Palette.Name);
        var output = new StreamedOutput(channel, execute.Id);
        var self = Self;
        var log = Context.GetLogger();
        _ = Task.Run(async () =>
        {
            string? error = null;
            bool usage = false;
            try
            {
                await handler.ExecuteAsync(parsed, output, cancellation.Token);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                // Ctrl+C on the client: the stream ends normally.
            }
            catch (Exception e) when (e is CommandFailedException or CommandLineException or TimeoutException or AskTimeoutException)
            {
                error = e.Message;
                usage = e is CommandLineException; // an argument the handler found wrong (--count abc): the caller's mistake
            }
            catch (Exception e)
            {
                log.Error(e, "command host: {0} {1} failed", parsed.Palette.Name, parsed.Command.Name);
                error = $"{parsed.Palette.Name} {parsed.Command.Name} failed: {e.Message}";
            }
            self.Tell(new Finished(execute.Id, error, usage));
        });
    }

    private void Send(CmdMessage message)
    {
        var self = Self;
        channel.WriteAsync(message).ContinueWith(t => { if (t.IsFaulted) self.Tell(new Broken(null)); }, TaskScheduler.Default);
    }

    // Says why, then hangs up.
    private void Close(string problem)
    {
        Context.GetLogger().Warning("command host: closing {0}: {1}", client.Client.RemoteEndPoint, problem);
        var self = Self;
        channel.WriteAsync(new ProtocolError(problem)).ContinueWith(_ => self.Tell(PoisonPill.Instance), TaskScheduler.Default);
        Become(() => Receive<object>(_ => { }));
    }

    // A text larger than a frame (a log peek full of stack traces, a long quarantine list) goes in pieces: at most
    // PieceChars each, which even at six bytes a character (JSON's \uXXXX) stays under a frame.
    private sealed class StreamedOutput(FrameChannel channel, long id) : ICommandOutput
    {
        private const int PieceChars = FrameChannel.MaxFrameBytes / 8;

        public async Task WriteAsync(string text)
        {
            int at = 0;
            while (text.Length - at > PieceChars)
            {
                // A surrogate pair is never cut: the piece ends before its high half.
                int length = char.IsHighSurrogate(text[at + PieceChars - 1]) ? PieceChars - 1 : PieceChars;
                await channel.WriteAsync(new Output(id, text.Substring(at, length), Partial: true));
                at += length;
            }
            await channel.WriteAsync(new Output(id, at == 0 ? text : text[at..]));
        }
    }

    private sealed record Received(CmdMessage Message) : INoSerializationVerificationNeeded;

    private sealed record Broken(string? Problem) : INoSerializationVerificationNeeded;

    private sealed record Finished(long Id, string? Error, bool UsageError) : INoSerializationVerificationNeeded;

    private sealed class HelloMissing : INoSerializationVerificationNeeded
    {
        public static readonly HelloMissing Instance = new();
    }
}
