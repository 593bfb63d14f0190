using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Training;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class TrainingSettingsTests
{
    private static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base));

    [Fact]
    public void The_reference_configuration_gives_loopback_and_two_minutes()
    {
        var settings = TrainingSettings.From(EmbeddedHocon.Load(EmbeddedHocon.Base));
        Assert.Equal("127.0.0.1", settings.DataPlaneHost.ToString());
        Assert.Equal(TimeSpan.FromMinutes(2), settings.StepTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.PrepareTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.CheckpointTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.AssembleTimeout);
    }

    [Fact]
    public void A_host_name_is_resolved_to_the_address_the_data_plane_binds_ipv4_first()
    {
        // As compose names its services ("node-1"): the listener binds, and peers reach, the name's address.
        var settings = TrainingSettings.From(With("actortrain.training.data-plane-host = localhost"));
        Assert.Equal(System.Net.IPAddress.Loopback, settings.DataPlaneHost);
    }

    [Theory]
    [InlineData("actortrain.training.data-plane-host = \"node-3.example\"", "'node-3.example' is neither an IP address nor a host name this machine resolves")]
    [InlineData("actortrain.training.data-plane-host = \"0.0.0.0\"", "'0.0.0.0' is a wildcard")]
    [InlineData("actortrain.training.data-plane-host = \"::\"", "'::' is a wildcard")]
    [InlineData("actortrain.training.step-timeout = 0s", "step-timeout must be positive")]
    [InlineData("actortrain.training.prepare-timeout = -1s", "prepare-timeout '-1s' is not a duration")]
    [InlineData("actortrain.training.step-timeout = 99999999999999d", "step-timeout '99999999999999d' is too long a duration to hold")]
    [InlineData("actortrain.training.orphan-check = 0s", "orphan-check must be positive")]
    [InlineData("actortrain.training.checkpoint-timeout = 0s", "checkpoint-timeout must be positive")]
    public void Bad_values_are_refused_naming_the_key(string hocon, string problem) =>
        Assert.Contains(problem, Assert.Throws<ConfigurationException>(() => TrainingSettings.From(With(hocon))).Message);
}
