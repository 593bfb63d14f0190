using System.Net;
using ActorTrain.Chaos;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>Nodes with no seeds form one cluster by the bootstrap (config discovery standing in for the
/// Kubernetes API), and answer the probes Kubernetes asks.</summary>
public sealed class BootstrapProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Three_nodes_without_seeds_bootstrap_one_cluster_and_report_ready()
    {
        using var root = new TemporaryDirectory("actortrain-bootstrap-");
        int[] httpPorts = [NodeProcess.FreePort(), NodeProcess.FreePort(), NodeProcess.FreePort()];
        string discovery = root.Combine("bootstrap.conf");
        await File.WriteAllTextAsync(discovery, $$"""
            actortrain.bootstrap {
              enabled = on
              discovery-method = config
              required-contact-points = 3
              stable-margin = 1s
              interval = 300ms
            }
            akka.discovery.config.services.actortrain.endpoints = [{{string.Join(", ", httpPorts.Select(p => $"\"127.0.0.1:{p}\""))}}]
            """);
        var nodes = httpPorts.Select((http, i) => NodeProcess.Start($"boot-{i}", NodeProcess.FreePort(), http,
            "--data-dir", root.Combine($"node-{i}"), "--db", $"sqlite:{root.Combine("journal.db")}", "--config", discovery)).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(n => n.WaitUpAsync(Patience)));
            await PbmCommand.ShowWhenUpAsync(nodes[2].CommandAddress!, members: 3);
            Assert.Single(nodes, n => n.Output.Contains("has the lowest address: founding one", StringComparison.Ordinal));

            using var http = new HttpClient();
            var ready = await http.GetAsync($"http://127.0.0.1:{httpPorts[0]}/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{httpPorts[1]}/health/alive")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{httpPorts[1]}/health")).StatusCode);
            string seeds = await http.GetStringAsync($"http://127.0.0.1:{httpPorts[1]}/bootstrap/seed-nodes");
            Assert.All(nodes, n => Assert.Contains($"akka.tcp://actortrain@{n.Address}", seeds));
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
