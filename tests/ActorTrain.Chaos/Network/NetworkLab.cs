using ActorTrain.Processes;

namespace ActorTrain.Chaos.Network;

/// <summary>
/// Network namespaces of our own: one per node, each joined to a bridge in this namespace by a veth
/// pair, addresses 10.N.0.11, .12, ... (the bridge is 10.N.0.1, so this process reaches every node).
/// Cutting a node's veth link partitions it from everyone; bringing it up heals the partition.
/// Needs root (CAP_NET_ADMIN) and the `ip` tool; everything is removed on dispose.
/// </summary>
public sealed class NetworkLab : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string id;
    private readonly int subnet;
    private readonly int size;

    private NetworkLab(string id, int subnet, int size)
    {
        this.id = id;
        this.subnet = subnet;
        this.size = size;
    }

    /// <summary>Why no lab can be built here, or null.</summary>
    public static async Task<string?> UnavailableReasonAsync()
    {
        string probe = $"atp{Environment.ProcessId % 100000}";
        try
        {
            var add = await ExternalCommand.RunForOutcomeAsync("ip", ["netns", "add", probe], Patience);
            if (add.ExitCode != 0) return $"cannot create a network namespace (needs root and CAP_NET_ADMIN): {add.Output.Trim()}";
            await ExternalCommand.RunAsync("ip", ["netns", "del", probe], Patience);
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"the `ip` tool is missing (Debian: iproute2): {e.Message}";
        }
    }

    /// <param name="size">Namespaces, one per node.</param>
    public static async Task<NetworkLab> CreateAsync(int size, int seed)
    {
        // Names short enough for interfaces (15 characters) and unique to this run; a /24 of 10.0.0.0/8 by seed.
        string id = $"at{Environment.ProcessId % 10000}{seed % 100}";
        var lab = new NetworkLab(id, 100 + Math.Abs(seed + Environment.ProcessId) % 150, size);
        try
        {
            await Ip("link", "add", lab.Bridge, "type", "bridge");
            await Ip("addr", "add", $"10.{lab.subnet}.0.1/24", "dev", lab.Bridge);
            await Ip("link", "set", lab.Bridge, "up");
            for (int i = 0; i < size; i++)
            {
                await Ip("netns", "add", lab.Namespace(i));
                await Ip("link", "add", lab.Link(i), "type", "veth", "peer", "name", "eth0", "netns", lab.Namespace(i));
                await Ip("link", "set", lab.Link(i), "master", lab.Bridge, "up");
                await Ip("netns", "exec", lab.Namespace(i), "ip", "addr", "add", $"{lab.Host(i)}/24", "dev", "eth0");
                await Ip("netns", "exec", lab.Namespace(i), "ip", "link", "set", "eth0", "up");
                await Ip("netns", "exec", lab.Namespace(i), "ip", "link", "set", "lo", "up");
            }
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    public string Host(int node) => $"10.{subnet}.0.{11 + node}";

    /// <summary>Where node <paramref name="node"/> runs: its address, started inside its namespace.</summary>
    public NodePlace Place(int node) => new(Host(node), ["ip", "netns", "exec", Namespace(node)]);

    /// <summary>Cuts <paramref name="node"/> off from every other node (and from this process).</summary>
    public Task IsolateAsync(int node) => Ip("link", "set", Link(node), "down");

    public Task HealAsync(int node) => Ip("link", "set", Link(node), "up");

    private string Bridge => $"br{id}";

    private string Namespace(int node) => $"{id}n{node}";

    private string Link(int node) => $"v{id}n{node}";

    private static Task Ip(params string[] arguments) => ExternalCommand.RunAsync("ip", arguments, Patience);

    public async ValueTask DisposeAsync()
    {
        // Deleting a namespace deletes its end of the veth pair, and with it ours.
        for (int i = 0; i < size; i++) await ExternalCommand.RunForOutcomeAsync("ip", ["netns", "del", Namespace(i)], Patience);
        await ExternalCommand.RunForOutcomeAsync("ip", ["link", "del", Bridge], Patience);
    }
}
