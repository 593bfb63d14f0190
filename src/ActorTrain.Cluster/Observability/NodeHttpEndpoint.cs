using System.Net;
using System.Text.Json;
using ActorTrain.Cluster.Bootstrap;
using Akka.Actor;
using Akka.Cluster;
using Prometheus;

namespace ActorTrain.Cluster.Observability;

/// <summary>
/// The node's HTTP endpoint: Prometheus metrics at /metrics (the default registry), and the probes an
/// orchestrator asks — /health/alive (200 while the actor system runs) and /health/ready (200 once the
/// node is an Up member of its cluster; 503 while joining, leaving or removed), and the node's bootstrap
/// contact point /bootstrap/seed-nodes (its address and its cluster's Up members, as JSON).
/// </summary>
public sealed class NodeHttpEndpoint : IDisposable
{
    private readonly HttpListener listener;
    private readonly ActorSystem system;
    private readonly CancellationTokenSource stopping = new();

    private NodeHttpEndpoint(HttpListener listener, string url, ActorSystem system)
    {
        this.listener = listener;
        this.system = system;
        Url = url;
    }

    /// <summary>The metrics URL (the probes are beside it).</summary>
    public string Url { get; }

    /// <param name="host">An address or name; "0.0.0.0", "*" or "+" listen on every interface.</param>
    /// <exception cref="HttpListenerException">The port is taken.</exception>
    public static NodeHttpEndpoint Start(ActorSystem system, string host, int port)
    {
        bool everywhere = host is "0.0.0.0" or "*" or "+";
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://{(everywhere ? "+" : host)}:{port}/");
        // The listener answers only requests whose Host names a prefix: on loopback (the default) `curl localhost:9464`
        // got 404 while 127.0.0.1 worked. Loopback is named both ways.
        if (host is "127.0.0.1" or "localhost") listener.Prefixes.Add($"http://{(host == "localhost" ? "127.0.0.1" : "localhost")}:{port}/");
        listener.Start();
        var endpoint = new NodeHttpEndpoint(listener, $"http://{(everywhere ? Environment.MachineName : host)}:{port}/metrics", system);
        _ = endpoint.ServeAsync();
        return endpoint;
    }

    private async Task ServeAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return; // stopped
            }
            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            switch (context.Request.Url?.AbsolutePath)
            {
                case "/metrics":
                    response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(response.OutputStream, stopping.Token);
                    break;
                case "/health/alive":
                    await ProbeAsync(response, !system.WhenTerminated.IsCompleted, "alive", "the actor system has stopped");
                    break;
                case "/health/ready":
                    await ProbeAsync(response, IsUp, "ready", "not an Up member of the cluster");
                    break;
                case ContactPointBootstrap.SeedNodesPath:
                    response.ContentType = "application/json";
                    await WriteAsync(response, JsonSerializer.Serialize(SeedNodes()));
                    break;
                default:
                    response.StatusCode = 404;
                    await WriteAsync(response, $"not found: /metrics, /health/alive, /health/ready and {ContactPointBootstrap.SeedNodesPath} are served here\n");
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the node is stopping: nothing to answer.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private bool IsUp
    {
        get
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            return !cluster.IsTerminated && cluster.SelfMember.Status == MemberStatus.Up;
        }
    }

    // The Up members of this node's cluster; none while it has not joined one (or has left it).
    private SeedNodesReport SeedNodes()
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var up = IsUp ? state.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Address.ToString()).ToList() : [];
        return new SeedNodesReport(cluster.SelfAddress.ToString(), up);
    }

    private static Task ProbeAsync(HttpListenerResponse response, bool healthy, string good, string bad)
    {
        response.StatusCode = healthy ? 200 : 503;
        return WriteAsync(response, (healthy ? good : bad) + "\n");
    }

    private static async Task WriteAsync(HttpListenerResponse response, string text)
    {
        response.ContentType ??= "text/plain; charset=utf-8";
        await response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text));
    }

    public void Dispose()
    {
        stopping.Cancel();
        listener.Close();
        stopping.Dispose();
    }
}
