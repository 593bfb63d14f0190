using Akka.Actor;

namespace ActorTrain.Cluster.Training;

/// <summary>
/// Which of this node's devices each replica on it holds. The shard allocation keeps the replicas of a
/// node within its devices; a replica takes the first free one when it starts and gives it back when it stops.
/// </summary>
public sealed class DeviceLeases : IExtension
{
    private readonly object gate = new();
    private readonly Dictionary<string, string?> holders;

    public DeviceLeases(NodeDevices devices) => holders = devices.Names.ToDictionary(name => name, _ => (string?)null);

    public static DeviceLeases For(ActorSystem system) => system.WithExtension<DeviceLeases, DeviceLeasesProvider>();

    /// <summary>A free device for <paramref name="holder"/>; when none is free (the allocation never lets that
    /// happen, a replica restarting in place may) the device with the fewest holders is shared, and said so.</summary>
    public string Acquire(string holder)
    {
        lock (gate)
        {
            string? free = holders.Where(h => h.Value is null).Select(h => h.Key).FirstOrDefault();
            if (free is null) return holders.Count == 0 ? "cpu:shared" : $"{holders.Keys.First()}(shared)";
            holders[free] = holder;
            return free;
        }
    }

    public void Release(string holder)
    {
        lock (gate)
        {
            foreach (string device in holders.Where(h => h.Value == holder).Select(h => h.Key).ToArray()) holders[device] = null;
        }
    }
}

public sealed class DeviceLeasesProvider : ExtensionIdProvider<DeviceLeases>
{
    public override DeviceLeases CreateExtension(ExtendedActorSystem system) =>
        new(NodeDevices.FromRoles(Akka.Cluster.Cluster.Get(system).SelfRoles));
}
