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
    /// <param name="defaultProfile">The profile when <paramref name="configs"/> names none (a node's is production); null: none.</param>
    public static List<Config> Layers(IReadOnlyList<string> configs, string? dataDir, string? defaultProfile = "production")
    {
        var layers = new List<Config>();
        if (dataDir is not null) layers.Add(ConfigurationFactory.ParseString($"actortrain.node.data-dir = {EmbeddedHocon.Quote(dataDir)}"));
        var environment = ConfigurationLayers.FromEnvironment(Environment.GetEnvironmentVariables());
        ConfigurationLayers.CheckKeys(environment, "environment (ACTORTRAIN__...)");
        layers.Add(environment);
        foreach (string config in configs.Count == 0 && defaultProfile is not null ? [defaultProfile] : configs) layers.Add(Load(config));
        return layers;
    }

    /// <summary>The layers over the reference, as one configuration.</summary>
    public static Config Effective(IEnumerable<Config> layers) =>
        layers.Aggregate(Config.Empty, (effective, layer) => effective.WithFallback(layer))
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Cluster))
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base));

    /// <summary>The profiles --config names instead of a file, and the embedded HOCON of each.</summary>
    public static readonly IReadOnlyDictionary<string, string> Profiles = new Dictionary<string, string>
    {
        ["local"] = EmbeddedHocon.LocalProfile,
        ["production"] = EmbeddedHocon.ProductionProfile,
        ["kubernetes"] = EmbeddedHocon.KubernetesProfile,
    };

    /// <summary>The first --config value that is neither a profile nor an existing file, with the reason; null when all are fine.</summary>
    public static string? FirstMissing(IEnumerable<string> configs) =>
        configs.FirstOrDefault(c => !Profiles.ContainsKey(c) && !File.Exists(c)) is not { } missing ? null
        : Directory.Exists(missing) ? $"--config '{missing}': a directory, not a HOCON file"
        : $"--config '{missing}': neither a profile ({string.Join(", ", Profiles.Keys)}) nor a file";

    private static Config Load(string profileOrFile)
    {
        if (Profiles.TryGetValue(profileOrFile, out string? embedded)) return EmbeddedHocon.Load(embedded);
        string text = HoconFile.ReadText(profileOrFile); // once: parsed, then its keys located by line
        var config = HoconFile.Parse(text, profileOrFile);
        ConfigurationLayers.CheckKeys(config, profileOrFile, text);
        return config;
    }
}
