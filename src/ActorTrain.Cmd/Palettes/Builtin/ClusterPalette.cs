using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;

namespace ActorTrain.Cmd.Palettes.Builtin;

/// <summary>`cluster`: membership, as Petabridge.Cmd's cluster palette shows and changes it.</summary>
public sealed class ClusterPalette(ActorSystem system) : PaletteHandler
{
    private static readonly ArgumentDefinition AddressArgument = new("address", "a", "A member's address, akka.tcp://actortrain@HOST:PORT.", Mandatory: true);

    public override PaletteDefinition Definition { get; } = new("cluster", "Cluster membership.",
    [
        new("show", "Every member: address | [roles] | status | reachability | version, then the count.", []),
        new("status", "This node's view: its address and status, the leader, members and unreachable ones.", []),
        new("leader", "The leader's address.", []),
        new("leave", "Leave gracefully: this node, or the member at --address.", [AddressArgument with { Mandatory = false }]),
        new("down", "Mark the member at --address down (it is removed without leaving).", [AddressArgument]),
        new("down-unreachable", "Mark every unreachable member down.", []),
        new("join", "Make this node join the cluster of --address.", [AddressArgument]),
        new("tail", "Stream membership and reachability events until Ctrl+C.", []),
    ]);

    private Cluster Cluster => Cluster.Get(system);

    public override async Task ExecuteAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken)
    {
        switch (command.Command.Name)
        {
            case "show":
                await ShowAsync(command.Json, output);
                break;
            case "status":
                var state = Cluster.State;
                var status = new
                {
                    self = Cluster.SelfAddress.ToString(), selfStatus = Cluster.SelfMember.Status.ToString().ToLowerInvariant(),
                    leader = state.Leader?.ToString(), members = state.Members.Count, unreachable = state.Unreachable.Count,
                };
                await output.WriteAsync(command.Json ? JsonSerializer.Serialize(status)
                    : $"{status.self} is {status.selfStatus}; leader {status.leader ?? "none"}; {status.members} members, {status.unreachable} unreachable");
                break;
            case "leader":
                string? leader = Cluster.State.Leader?.ToString();
                await output.WriteAsync(command.Json ? JsonSerializer.Serialize(new { leader }) : leader ?? "no leader");
                break;
            case "leave":
                var leaving = command.Value("address") is { } text ? Member(text) : Cluster.SelfAddress;
                Cluster.Leave(leaving);
                await output.WriteAsync(command.Json ? JsonSerializer.Serialize(new { leaving = leaving.ToString() }) : $"{leaving} is leaving the cluster");
                break;
            case "down":
                var down = Member(command.Required("address"));
                Cluster.Down(down);
                await output.WriteAsync(command.Json ? JsonSerializer.Serialize(new { down = down.ToString() }) : $"{down} marked down");
                break;
            case "down-unreachable":
                var unreachable = Cluster.State.Unreachable.Select(m => m.Address).ToArray();
                foreach (var address in unreachable) Cluster.Down(address);
                await output.WriteAsync(command.Json ? JsonSerializer.Serialize(new { down = unreachable.Select(a => a.ToString()) })
                    : unreachable.Length == 0 ? "no unreachable member" : string.Join("\n", unreachable.Select(a => $"{a} marked down")));
                break;
            case "join":
                var target = Parse(command.Required("address"));
                // Akka ignores a join from a member, or to another actor system's name, and says so only in its log:
                // refused here, rather than answered "joining" with exit 0.
                if (target.System != Cluster.SelfAddress.System)
                    throw new CommandFailedException($"{target} names actor system '{target.System}'; this node's is '{Cluster.SelfAddress.System}'");
                if (Cluster.SelfMember.Status is not (MemberStatus.Removed or MemberStatus.Down))
                    throw new CommandFailedException($"this node is already a member ({Cluster.SelfMember.Status.ToString().ToLowerInvariant()}) of a cluster, and a member cannot join another: leave it first");
                Cluster.Join(target);
                await output.WriteAsync(command.Json ? JsonSerializer.Serialize(new { joining = target.ToString() }) : $"joining {target}");
                break;
            case "tail":
                await TailAsync(command.Json, output, cancellationToken);
                break;
        }
    }

    private async Task ShowAsync(bool json, ICommandOutput output)
    {
        var state = Cluster.State;
        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => new
            {
                address = m.Address.ToString(), roles = m.Roles.Order(StringComparer.Ordinal).ToArray(), status = m.Status.ToString().ToLowerInvariant(),
                reachability = state.Unreachable.Contains(m) ? "unreachable" : "", version = m.AppVersion.ToString(),
            }).ToArray();
        if (json)
        {
            await output.WriteAsync(JsonSerializer.Serialize(members));
            return;
        }
        foreach (var m in members) await output.WriteAsync($"{m.address} | [{string.Join(",", m.roles)}] | {m.status} | {m.reachability} | {m.version}");
        await output.WriteAsync($"Count: {members.Length} nodes");
    }

    private async Task TailAsync(bool json, ICommandOutput output, CancellationToken cancellationToken)
    {
        var events = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var forwarder = system.ActorOf(Props.Create(() => new EventForwarder(events.Writer, json)));
        Cluster.Subscribe(forwarder, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        try
        {
            await foreach (string line in events.Reader.ReadAllAsync(cancellationToken)) await output.WriteAsync(line);
        }
        finally
        {
            Cluster.Unsubscribe(forwarder);
            system.Stop(forwarder);
        }
    }

    private Address Member(string text)
    {
        var address = Parse(text);
        if (!Cluster.State.Members.Any(m => m.Address.Equals(address))) throw new CommandFailedException($"{address} is not a member of this cluster");
        return address;
    }

    private static Address Parse(string text)
    {
        try
        {
            return Address.Parse(text);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw new CommandLineException($"-a/--address '{text}' is not an address like akka.tcp://actortrain@127.0.0.1:4053");
        }
    }

    private sealed class EventForwarder : ReceiveActor
    {
        public EventForwarder(System.Threading.Channels.ChannelWriter<string> lines, bool json)
        {
            Receive<ClusterEvent.IClusterDomainEvent>(e =>
            {
                var (kind, member) = e switch
                {
                    ClusterEvent.MemberStatusChange change => (change.GetType().Name, change.Member),
                    ClusterEvent.UnreachableMember u => ("Unreachable", u.Member),
                    ClusterEvent.ReachableMember r => ("Reachable", r.Member),
                    _ => (e.GetType().Name, null),
                };
                if (member is null) return;
                var time = DateTimeOffset.UtcNow.ToString("O");
                lines.TryWrite(json
                    ? JsonSerializer.Serialize(new { time, @event = kind, address = member.Address.ToString(), status = member.Status.ToString().ToLowerInvariant() })
                    : $"{time} {kind} {member.Address} {member.Status.ToString().ToLowerInvariant()}");
            });
        }
    }
}
