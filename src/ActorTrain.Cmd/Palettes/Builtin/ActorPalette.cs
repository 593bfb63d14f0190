using System.Text.Json;
using Akka.Actor;

namespace ActorTrain.Cmd.Palettes.Builtin;

/// <summary>`actor`: the actor system of this node and its actors.</summary>
public sealed class ActorPalette(ActorSystem system) : PaletteHandler
{
    private static readonly TimeSpan IdentifyTimeout = TimeSpan.FromSeconds(2);

    public override PaletteDefinition Definition { get; } = new("actor", "The node's actor system.",
    [
        new("system", "Name, address, start time and uptime of the actor system.", []),
        new("hierarchy", "The actors under a path, to a depth.",
        [
            new("depth", "d", "How many levels below the path.", Default: "3"),
            new("start", "s", "Path to start from.", Default: "/user"),
        ]),
    ]);

    public override async Task ExecuteAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken)
    {
        if (command.Command.Name == "system")
        {
            var started = DateTimeOffset.UtcNow - system.Uptime;
            var info = new
            {
                name = system.Name, address = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString(),
                started = started.ToString("O"), uptimeSeconds = (long)system.Uptime.TotalSeconds,
            };
            await output.WriteAsync(command.Json ? JsonSerializer.Serialize(info) : $"{info.name} at {info.address}, up {TimeSpan.FromSeconds(info.uptimeSeconds)} (since {info.started})");
            return;
        }
        int depth = command.Integer("depth", 3);
        if (depth is < 1 or > 10) throw new CommandLineException("--depth must be 1 to 10");
        string start = command.Required("start");
        if (!start.StartsWith('/')) throw new CommandLineException($"--start '{start}' is not an absolute actor path (like /user or /system/sharding)");
        var paths = await Walk(start.TrimEnd('/'), depth, cancellationToken);
        await output.WriteAsync(command.Json ? JsonSerializer.Serialize(paths) : paths.Count == 0 ? $"no actors under {start}" : string.Join("\n", paths));
    }

    // The tree under a path, in order. Siblings are walked at once: each level waits out the identify window (a leaf
    // never answers), so walking them one after another cost that window per actor.
    private async Task<List<string>> Walk(string path, int depth, CancellationToken cancellationToken)
    {
        if (depth == 0) return [];
        var children = (await ChildrenOf(path, cancellationToken)).Order(StringComparer.Ordinal).ToArray();
        var subtrees = await Task.WhenAll(children.Select(child => Walk(child, depth - 1, cancellationToken)));
        var found = new List<string>();
        for (int i = 0; i < children.Length; i++)
        {
            found.Add(new string(' ', 2 * (children[i].Count(c => c == '/') - 2)) + children[i]);
            found.AddRange(subtrees[i]);
        }
        return found;
    }

    // Children are found by asking a wildcard selection to identify itself: the only way to list them from outside.
    private async Task<List<string>> ChildrenOf(string path, CancellationToken cancellationToken)
    {
        var replies = System.Threading.Channels.Channel.CreateUnbounded<ActorIdentity>();
        var collector = system.ActorOf(Props.Create(() => new IdentityCollector(replies.Writer)));
        try
        {
            system.ActorSelection($"{path}/*").Tell(new Identify(path), collector);
            var children = new List<string>();
            using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            window.CancelAfter(IdentifyTimeout);
            try
            {
                await foreach (var identity in replies.Reader.ReadAllAsync(window.Token))
                    if (identity.Subject is not null) children.Add(identity.Subject.Path.ToStringWithoutAddress());
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // the replies that came within the window are all there is
            }
            return children;
        }
        finally
        {
            system.Stop(collector);
        }
    }

    private sealed class IdentityCollector : ReceiveActor
    {
        public IdentityCollector(System.Threading.Channels.ChannelWriter<ActorIdentity> replies) => Receive<ActorIdentity>(identity => replies.TryWrite(identity));
    }
}
