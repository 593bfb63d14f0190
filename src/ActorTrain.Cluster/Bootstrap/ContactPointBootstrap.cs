using System.Net.Http.Json;
using Akka.Actor;
using Akka.Discovery;
using Akka.Event;

namespace ActorTrain.Cluster.Bootstrap;

/// <summary>
/// Cluster Bootstrap, the protocol of Akka.Management's, run by the node itself: every interval it asks
/// Akka.Discovery for the contact points of its service (Kubernetes pods, or a configured list), asks each
/// one's /bootstrap/seed-nodes, and joins the cluster any of them is in; when there is none, the node with
/// the lowest address founds one, once the required number of contact points answered and stayed the same
/// for the stable margin. Ends when this node has asked to join (the membership takes it from there).
/// </summary>
public static class ContactPointBootstrap
{
    public const string SeedNodesPath = "/bootstrap/seed-nodes";

    public static async Task RunAsync(ActorSystem system, BootstrapSettings settings, CancellationToken cancellationToken)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var discovery = Discovery.Get(system).LoadServiceDiscovery(settings.DiscoveryMethod);
        using var http = new HttpClient { Timeout = settings.ProbeTimeout };
        var lookup = new Lookup(settings.ServiceName, settings.PortName, "tcp");
        var seen = new HashSet<string>();
        var seenSince = DateTime.UtcNow;
        string? lastWhy = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var answers = await ProbeAsync(http, await ResolveAsync(discovery, lookup, settings, system.Log), cancellationToken);
            var nodes = answers.Select(a => a.SelfNode).ToHashSet();
            if (!nodes.SetEquals(seen))
            {
                seen = nodes;
                seenSince = DateTime.UtcNow;
            }
            switch (BootstrapDecision.Decide(answers, cluster.SelfAddress, settings, DateTime.UtcNow - seenSince))
            {
                case BootstrapDecision.JoinExisting join:
                    system.Log.Info("bootstrap: joining the cluster of [{0}]", string.Join(", ", join.Seeds));
                    cluster.JoinSeedNodes(join.Seeds);
                    return;
                case BootstrapDecision.FoundCluster:
                    system.Log.Info("bootstrap: no cluster among [{0}], and this node has the lowest address: founding one", string.Join(", ", nodes));
                    cluster.Join(cluster.SelfAddress);
                    return;
                case BootstrapDecision.Wait wait when wait.Why != lastWhy:
                    system.Log.Info("bootstrap: waiting: {0}", wait.Why);
                    lastWhy = wait.Why;
                    break;
            }
            await Task.Delay(settings.Interval, cancellationToken);
        }
    }

    private static async Task<IReadOnlyList<Uri>> ResolveAsync(ServiceDiscovery discovery, Lookup lookup, BootstrapSettings settings, ILoggingAdapter log)
    {
        try
        {
            var resolved = await discovery.Lookup(lookup, settings.ProbeTimeout);
            return [.. resolved.Addresses.Select(target =>
                new UriBuilder("http", target.Address?.ToString() ?? target.Host, target.Port ?? settings.FallbackPort, SeedNodesPath).Uri)];
        }
        catch (Exception e)
        {
            // Discovery is outside the node (the Kubernetes API): its failures are waited out, not fatal.
            log.Warning("bootstrap: discovery of {0} by {1} failed: {2}", lookup.ServiceName, settings.DiscoveryMethod, e.Message);
            return [];
        }
    }

    // The reports of the contact points that answered; one that does not (not started yet, gone) is left out.
    private static async Task<IReadOnlyList<SeedNodesReport>> ProbeAsync(HttpClient http, IReadOnlyList<Uri> contactPoints, CancellationToken cancellationToken)
    {
        var probes = contactPoints.Select(async uri =>
        {
            try
            {
                return await http.GetFromJsonAsync<SeedNodesReport>(uri, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                return null;
            }
        });
        return [.. (await Task.WhenAll(probes)).OfType<SeedNodesReport>()];
    }
}
