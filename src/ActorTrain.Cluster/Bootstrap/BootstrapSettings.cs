using ActorTrain.Cluster.Configuration;
using Akka.Configuration;

namespace ActorTrain.Cluster.Bootstrap;

/// <summary>actortrain.bootstrap: how a node with no seeds finds its cluster (hocon/kubernetes.conf).</summary>
/// <param name="DiscoveryMethod">An Akka.Discovery method: kubernetes-api, or config (a fixed list).</param>
/// <param name="PortName">The named port discovery returns for a contact point: the node's HTTP endpoint.</param>
/// <param name="FallbackPort">A contact point's port when discovery returns none: this node's HTTP port.</param>
public sealed record BootstrapSettings(bool Enabled, string DiscoveryMethod, string ServiceName, string PortName, int FallbackPort,
    int RequiredContactPoints, TimeSpan StableMargin, TimeSpan Interval, TimeSpan ProbeTimeout)
{
    /// <exception cref="ConfigurationException">A value of the wrong type or out of range, named by key.</exception>
    /// <param name="httpPort">The node's HTTP endpoint port (metrics, probes, contact point); 0: it has none.</param>
    public static BootstrapSettings From(Config config, int httpPort)
    {
        var section = config.GetConfig("actortrain.bootstrap");
        var settings = new BootstrapSettings(
            section.GetBoolean("enabled", false),
            section.GetString("discovery-method", "kubernetes-api"),
            section.GetString("service-name", "actortrain"),
            section.GetString("port-name", "http"),
            httpPort,
            section.GetInt("required-contact-points", 3),
            Durations.Positive(section, "actortrain.bootstrap", "stable-margin", TimeSpan.FromSeconds(5)),
            Durations.Positive(section, "actortrain.bootstrap", "interval", TimeSpan.FromSeconds(1)),
            Durations.Positive(section, "actortrain.bootstrap", "probe-timeout", TimeSpan.FromSeconds(3)));
        if (settings.RequiredContactPoints < 1)
            throw new ConfigurationException($"actortrain.bootstrap.required-contact-points = {settings.RequiredContactPoints}: at least 1");
        if (settings.Enabled && settings.FallbackPort == 0)
            throw new ConfigurationException("actortrain.bootstrap.enabled = on needs the node's HTTP endpoint (actortrain.metrics.port, --metrics-port, not 0): it is the contact point other nodes probe");
        return settings;
    }
}
