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

    [Theory]
    [InlineData("actortrain.training.data-plane-host = \"node-3.example\"", "'node-3.example' is not an IP address")]
    [InlineData("actortrain.training.step-timeout = 0s", "step-timeout must be positive")]
    [InlineData("actortrain.training.prepare-timeout = -1s", "prepare-timeout '-1s' is not a duration")]
    [InlineData("actortrain.training.checkpoint-timeout = 0s", "checkpoint-timeout must be positive")]
    public void Bad_values_are_refused_naming_the_key(string hocon, string problem) =>
        Assert.Contains(problem, Assert.Throws<ConfigurationException>(() => TrainingSettings.From(With(hocon))).Message);
}
