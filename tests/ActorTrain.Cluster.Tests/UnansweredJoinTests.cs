using System.Net;
using System.Net.Sockets;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Cluster.Training;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Cluster.Tests;

/// <summary>A node whose seed never answers gives up after the whole join timeout, with an error that names the
/// seeds, the time it waited in all and how many incarnations tried.</summary>
public sealed class UnansweredJoinTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-unanswered-join-");

    public void Dispose() => root.Dispose();

    [Fact]
    public async Task A_node_whose_seed_never_answers_fails_naming_the_seed_the_whole_wait_and_its_incarnations()
    {
        string seed = $"127.0.0.1:{UnboundPort()}";
        var options = new NodeOptions("127.0.0.1", 0, [seed], ["data"], NodeDevices.OneCpu, new SqliteJournal(root.Combine("journal.db")), []);
        // 41 s: the first incarnation waits its 20 s, the second (the last: under two shares left) the remaining 21 s.
        var failure = await Assert.ThrowsAsync<TimeoutException>(() => ClusterNode.StartAsync(options, TimeSpan.FromSeconds(41)));
        Assert.Equal($"the node did not join the cluster within 41s (seeds: {seed}, 2 incarnations)", failure.Message);
    }

    private static int UnboundPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
