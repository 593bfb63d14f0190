using Prometheus;

namespace ActorTrain.Node.Configuration;

/// <summary>The node's Prometheus endpoint (prometheus-net's HttpListener server over the default registry).</summary>
public sealed class MetricsEndpoint : IDisposable
{
    private readonly MetricServer server;

    private MetricsEndpoint(MetricServer server, string url)
    {
        this.server = server;
        Url = url;
    }

    public string Url { get; }

    /// <exception cref="System.Net.HttpListenerException">The port is taken.</exception>
    public static MetricsEndpoint Start(string host, int port)
    {
        var server = new MetricServer(host, port);
        server.Start();
        return new MetricsEndpoint(server, $"http://{host}:{port}/metrics");
    }

    public void Dispose() => server.Dispose();
}
