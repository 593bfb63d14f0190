using Akka.Configuration;

namespace ActorTrain.Cluster.Configuration;

/// <summary>The HOCON files of hocon/, embedded in this assembly under their file names.</summary>
public static class EmbeddedHocon
{
    public const string Base = "actortrain.conf";
    public const string PersistenceSqlite = "persistence-sqlite.conf";
    public const string PersistencePostgres = "persistence-postgres.conf";
    public const string ClusterSingleNode = "cluster-single-node.conf";
    public const string Cluster = "cluster.conf";
    public const string LocalProfile = "local.conf";
    public const string ProductionProfile = "production.conf";
    public const string KubernetesProfile = "kubernetes.conf";

    public static Config Load(string name) => ConfigurationFactory.ParseString(Text(name));

    public static string Text(string name)
    {
        using var stream = typeof(EmbeddedHocon).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded HOCON '{name}' is missing from {typeof(EmbeddedHocon).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A HOCON string literal holding <paramref name="value"/> verbatim (JSON quoting is valid HOCON).</summary>
    public static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
