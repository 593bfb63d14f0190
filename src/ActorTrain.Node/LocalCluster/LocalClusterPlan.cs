using System.Collections.Immutable;

namespace ActorTrain.Node.LocalCluster;

/// <summary>One node of a local cluster: its name and the `actortrain node` arguments it runs with.</summary>
public sealed record PlannedNode(string Name, int Port, ImmutableArray<string> Arguments);

/// <summary>
/// The nodes `actortrain local-cluster` starts on loopback: consecutive remoting, pbm and metrics
/// ports from the bases, every node all three roles, and the first (up to) three nodes as seeds of
/// every node — so any of them, restarted alone, finds the others again instead of founding a
/// second cluster (Akka's first seed founds one only when no other seed answers).
/// </summary>
public static class LocalClusterPlan
{
    public const int MaxNodes = 16;

    /// <param name="journal">The --db value every node gets (the same database for all).</param>
    /// <param name="commandPortBase">pbm ports from here; 0: each node picks a free one.</param>
    /// <param name="metricsPortBase">Prometheus ports from here; 0: no metrics endpoint.</param>
    /// <param name="profiles">--config values passed to every node.</param>
    public static ImmutableArray<PlannedNode> For(int nodes, int portBase, int commandPortBase, int metricsPortBase,
        string devices, string journal, string dataDirectory, IReadOnlyList<string> profiles)
    {
        if (nodes is < 1 or > MaxNodes) throw new ArgumentOutOfRangeException(nameof(nodes), $"--nodes {nodes}: between 1 and {MaxNodes}");
        var seeds = Enumerable.Range(0, Math.Min(nodes, 3)).Select(i => $"127.0.0.1:{portBase + i}").ToArray();
        return [.. Enumerable.Range(0, nodes).Select(i =>
        {
            var arguments = new List<string>
            {
                "node", "--host", "127.0.0.1", "--port", (portBase + i).ToString(),
                "--cmd-port", (commandPortBase == 0 ? 0 : commandPortBase + i).ToString(),
                "--metrics-port", (metricsPortBase == 0 ? 0 : metricsPortBase + i).ToString(),
                "--roles", "data,trainer,coordinator", "--devices", devices,
                "--db", journal, "--data-dir", dataDirectory,
            };
            // A lone node founds the cluster by joining itself (no seeds); otherwise every node knows the seeds.
            if (nodes > 1) foreach (string seed in seeds) arguments.AddRange(["--seed", seed]);
            foreach (string profile in profiles) arguments.AddRange(["--config", profile]);
            return new PlannedNode($"node-{i + 1}", portBase + i, [.. arguments]);
        })];
    }
}
