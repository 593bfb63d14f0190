using System.Net;
using ActorTrain.Cluster.Configuration;
using Akka.Configuration;

namespace ActorTrain.Cluster.Training;

/// <summary>actortrain.training, read once.</summary>
public sealed record TrainingSettings(IPAddress DataPlaneHost, TimeSpan StepTimeout, TimeSpan PrepareTimeout, TimeSpan CheckpointTimeout, TimeSpan AssembleTimeout,
    TimeSpan FinishedLinger, TimeSpan OrphanCheck)
{
    /// <summary>Fault injection for tests, never read from configuration: called on a replica just before it applies a
    /// committed step's update (or replays one). What it throws stands for what a failing update throws (libtorch, the optimizer), so
    /// that the path a replica takes when it breaks mid-step is exercised by the real trainer and run actors.</summary>
    internal Action<Protocol.Training.TrainerId, long>? BeforeApplying { get; init; }

    /// <summary>Fault injection for tests, like <see cref="BeforeApplying"/>: called on the replica asked to write a
    /// checkpoint, in the background just before it writes. What it throws stands for a failing write (a full disk on
    /// that replica's node only).</summary>
    internal Action<Protocol.Training.TrainerId, long>? BeforeCheckpoint { get; init; }

    /// <exception cref="ConfigurationException">A missing section, a host that is neither an IP address nor a name this
    /// machine resolves, or a non-positive timeout.</exception>
    public static TrainingSettings From(Config config)
    {
        var section = config.GetConfig("actortrain.training") ?? throw new ConfigurationException("actortrain.training is missing");
        return new TrainingSettings(DataPlaneAddress(section.GetString("data-plane-host")), Positive(section, "step-timeout"), Positive(section, "prepare-timeout"), Positive(section, "checkpoint-timeout"),
            Positive(section, "assemble-timeout"), Positive(section, "finished-linger"), Positive(section, "orphan-check"));
    }

    // The replicas' listener binds this address and peers connect to it, so a host name (a container's, as compose
    // names its services) is resolved here, once, preferring IPv4.
    // The address is also what peers are told to connect to: a wildcard (0.0.0.0, ::) would send every peer to its own
    // host, and no ring across machines would ever form.
    private static IPAddress DataPlaneAddress(string host)
    {
        if (IPAddress.TryParse(host, out var address))
            return address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
                ? throw new ConfigurationException($"actortrain.training.data-plane-host '{host}' is a wildcard; it must be this node's address that the other nodes reach (peers connect to it)")
                : address;
        try
        {
            return Net.HostAddress.Resolve(host)
                   ?? throw new ConfigurationException($"actortrain.training.data-plane-host '{host}' resolves to no address");
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new ConfigurationException($"actortrain.training.data-plane-host '{host}' is neither an IP address nor a host name this machine resolves ({e.Message})");
        }
    }

    private static TimeSpan Positive(Config section, string key) => Durations.Positive(section, "actortrain.training", key);
}
