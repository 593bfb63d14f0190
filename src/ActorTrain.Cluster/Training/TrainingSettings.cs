using System.Net;
using Akka.Configuration;

namespace ActorTrain.Cluster.Training;

/// <summary>actortrain.training, read once.</summary>
public sealed record TrainingSettings(IPAddress DataPlaneHost, TimeSpan StepTimeout)
{
    /// <exception cref="ConfigurationException">A missing section, an address that is not an IP address, or a non-positive timeout.</exception>
    public static TrainingSettings From(Config config)
    {
        var section = config.GetConfig("actortrain.training") ?? throw new ConfigurationException("actortrain.training is missing");
        string host = section.GetString("data-plane-host");
        if (!IPAddress.TryParse(host, out var address)) throw new ConfigurationException($"actortrain.training.data-plane-host '{host}' is not an IP address");
        var timeout = section.GetTimeSpan("step-timeout");
        if (timeout <= TimeSpan.Zero) throw new ConfigurationException($"actortrain.training.step-timeout must be positive (got {timeout})");
        return new TrainingSettings(address, timeout);
    }
}
