using ActorTrain.Cluster.Bootstrap;
using Akka.Actor;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class BootstrapDecisionTests
{
    private static readonly BootstrapSettings Settings = new(true, "config", "actortrain", "http", 9464, 3, TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));

    private static readonly string[] Nodes = ["akka.tcp://actortrain@10.0.0.7:4053", "akka.tcp://actortrain@10.0.0.12:4053", "akka.tcp://actortrain@10.0.0.3:4053"];

    private static SeedNodesReport Alone(string node) => new(node, []);

    [Fact]
    public void A_contact_point_in_a_cluster_is_joined_through_its_members_whatever_else_holds()
    {
        var answers = new[] { Alone(Nodes[0]), new SeedNodesReport(Nodes[1], [Nodes[1], Nodes[2]]) };
        var decision = BootstrapDecision.Decide(answers, Address.Parse(Nodes[0]), Settings, TimeSpan.Zero);
        var join = Assert.IsType<BootstrapDecision.JoinExisting>(decision);
        Assert.Equal([Address.Parse(Nodes[1]), Address.Parse(Nodes[2])], join.Seeds);
    }

    [Fact]
    public void Fewer_contact_points_than_required_wait_even_when_stable()
    {
        var decision = BootstrapDecision.Decide([Alone(Nodes[0]), Alone(Nodes[1])], Address.Parse(Nodes[0]), Settings, TimeSpan.FromMinutes(1));
        Assert.Equal("2 of 3 contact points answer", Assert.IsType<BootstrapDecision.Wait>(decision).Why);
    }

    [Fact]
    public void Enough_contact_points_wait_for_the_stable_margin()
    {
        var answers = Nodes.Select(Alone).ToArray();
        var decision = BootstrapDecision.Decide(answers, Address.Parse(Nodes[2]), Settings, TimeSpan.FromSeconds(4.9));
        Assert.IsType<BootstrapDecision.Wait>(decision);
    }

    [Fact]
    public void Only_the_lowest_address_founds_the_cluster_and_every_node_agrees_which_that_is()
    {
        var answers = Nodes.Select(Alone).ToArray();
        // Ordinal host order: "10.0.0.12" < "10.0.0.3" < "10.0.0.7" — the same on every node.
        Assert.IsType<BootstrapDecision.FoundCluster>(BootstrapDecision.Decide(answers, Address.Parse(Nodes[1]), Settings, TimeSpan.FromSeconds(5)));
        foreach (string other in new[] { Nodes[0], Nodes[2] })
        {
            var wait = Assert.IsType<BootstrapDecision.Wait>(BootstrapDecision.Decide(answers, Address.Parse(other), Settings, TimeSpan.FromSeconds(5)));
            Assert.Equal($"{Nodes[1]} has the lowest address and founds the cluster", wait.Why);
        }
    }

    [Fact]
    public void Bootstrap_needs_the_http_endpoint_that_other_nodes_probe()
    {
        var config = ConfigurationFactory.ParseString("actortrain.bootstrap.enabled = on");
        var error = Assert.Throws<ConfigurationException>(() => BootstrapSettings.From(config, httpPort: 0));
        Assert.Contains("actortrain.metrics.port", error.Message);
        Assert.Equal(9464, BootstrapSettings.From(config, 9464).FallbackPort);
    }
}
