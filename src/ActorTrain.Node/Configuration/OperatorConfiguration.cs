using ActorTrain.Cluster.Configuration;
using Akka.Configuration;

namespace ActorTrain.Node.Configuration;

/// <summary>
/// The layers an operator puts over the reference configuration, first winning: the command line's
/// own settings, ACTORTRAIN__* environment variables, then each --config (a profile name or a HOCON
/// file; production when none is given). Every layer is checked for actortrain.* keys the reference
/// does not know.
/// </summary>
public static class OperatorConfiguration
{
    /// <exception cref="ConfigurationException">A broken file, or an unknown actortrain.* key; names the file (and line) or the variable.</exception>
    /// <exception cref="IOException">A file that cannot be read.</exception>
    public static List<Config> Layers(IReadOnlyList<string> configs, string? dataDir)
    {
        var layers = new List<Config>();
        if (dataDir is not null) layers.Add(ConfigurationFactory.ParseString($"actortrain.node.data-dir = {EmbeddedHocon.Quote(dataDir)}"));
        var environment = ConfigurationLayers.FromEnvironment(Environment.GetEnvironmentVariables());
        ConfigurationLayers.CheckKeys(environment, "environment (ACTORTRAIN__...)");
        layers.Add(environment);
        foreach (string config in configs.Count == 0 ? ["production"] : configs) layers.Add(Load(config));
        return layers;
    }

    /// <summary>The layers over the reference, as one configuration.</summary>
    public static Config Effective(IEnumerable<Config> layers) =>
        layers.Aggregate(Config.Empty, (effective, layer) => effective.WithFallback(layer))
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Cluster))
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base));

    private static Config Load(string profileOrFile)
    {
        switch (profileOrFile)
        {
            case "local":
                return EmbeddedHocon.Load(EmbeddedHocon.LocalProfile);
            case "production":
                return EmbeddedHocon.Load(EmbeddedHocon.ProductionProfile);
        }
        var config = HoconFile.Load(profileOrFile);
        ConfigurationLayers.CheckKeys(config, profileOrFile, File.ReadAllText(profileOrFile));
        return config;
    }
}
