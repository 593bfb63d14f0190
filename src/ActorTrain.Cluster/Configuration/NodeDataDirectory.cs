using Akka.Configuration;

namespace ActorTrain.Cluster.Configuration;

/// <summary>Where a node keeps its files (actortrain.node.data-dir).</summary>
public static class NodeDataDirectory
{
    /// <summary>The configured directory, or $XDG_DATA_HOME/actortrain (~/.local/share/actortrain).</summary>
    public static string Resolve(Config config)
    {
        string configured = config.GetString("actortrain.node.data-dir", "");
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
        string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        string dataHome = !string.IsNullOrEmpty(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(dataHome, "actortrain");
    }
}
