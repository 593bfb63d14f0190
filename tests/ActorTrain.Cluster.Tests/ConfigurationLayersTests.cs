using System.Collections;
using ActorTrain.Cluster.Configuration;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class ConfigurationLayersTests
{
    [Fact]
    public void Environment_variables_become_actortrain_keys()
    {
        var variables = new Hashtable
        {
            ["ACTORTRAIN__TRAINING__STEP_TIMEOUT"] = "45s",
            ["ACTORTRAIN__CMD__PORT"] = "9200",
            ["PATH"] = "/usr/bin",
        };
        var config = ConfigurationLayers.FromEnvironment(variables);
        Assert.Equal(TimeSpan.FromSeconds(45), config.GetTimeSpan("actortrain.training.step-timeout"));
        Assert.Equal(9200, config.GetInt("actortrain.cmd.port"));
        Assert.Equal(["actortrain.cmd.port", "actortrain.training.step-timeout"], ConfigurationLayers.Keys(config).Order());
    }

    [Fact]
    public void An_unknown_key_is_named_with_its_file_line_and_the_nearest_known_key()
    {
        const string text = "# ops\nactortrain.training {\n  step-timout = 3s\n}\n";
        var problem = Assert.Throws<ConfigurationException>(() => ConfigurationLayers.CheckKeys(ConfigurationFactory.ParseString(text), "ops.conf", text));
        Assert.Equal("ops.conf:3: unknown key actortrain.training.step-timout (did you mean actortrain.training.step-timeout?)", problem.Message);
    }

    [Fact]
    public void Every_shipped_profile_sets_only_known_keys()
    {
        foreach (string name in new[] { EmbeddedHocon.Base, EmbeddedHocon.LocalProfile, EmbeddedHocon.ProductionProfile, EmbeddedHocon.Cluster })
            ConfigurationLayers.CheckKeys(EmbeddedHocon.Load(name), name);
        ConfigurationLayers.CheckKeys(ConfigurationFactory.ParseString("akka.loglevel = DEBUG"), "akka keys are Akka's business");
    }
}
