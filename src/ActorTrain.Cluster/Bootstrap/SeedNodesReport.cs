using System.Text.Json.Serialization;

namespace ActorTrain.Cluster.Bootstrap;

/// <summary>
/// What a node's /bootstrap/seed-nodes answers: its own address, and the members of its cluster that
/// are Up (empty while it is not in one). The wire shape of Akka.Management's route of the same name.
/// </summary>
public sealed record SeedNodesReport(
    [property: JsonPropertyName("selfNode")] string SelfNode,
    [property: JsonPropertyName("seedNodes")] IReadOnlyList<string> SeedNodes);
