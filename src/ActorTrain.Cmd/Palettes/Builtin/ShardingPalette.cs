using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace ActorTrain.Cmd.Palettes.Builtin;

/// <summary>`cluster-sharding`: which entity types run here and how their shards and entities are spread.</summary>
public sealed class ShardingPalette(ActorSystem system) : PaletteHandler
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public override PaletteDefinition Definition { get; } = new("cluster-sharding", "Sharded entity types.",
    [
        new("regions", "The shard regions (entity types) of this node.", []),
        new("region-stats", "Per member: shards and entities of one type.", [new("region", "r", "Entity type, e.g. trainer, training-run, data-shard.", Mandatory: true)]),
    ]);

    public override async Task ExecuteAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken)
    {
        var sharding = ClusterSharding.Get(system);
        if (command.Command.Name == "regions")
        {
            var names = sharding.ShardTypeNames.Order(StringComparer.Ordinal).ToArray();
            await output.WriteAsync(command.Json ? JsonSerializer.Serialize(names) : string.Join("\n", names));
            return;
        }
        string type = command.Required("region");
        if (!sharding.ShardTypeNames.Contains(type))
            throw new CommandFailedException($"no region '{type}' on this node; regions: {string.Join(", ", sharding.ShardTypeNames.Order(StringComparer.Ordinal))}");
        var stats = await sharding.ShardRegion(type).Ask<ClusterShardingStats>(new GetClusterShardingStats(Timeout), Timeout, cancellationToken);
        var rows = stats.Regions.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
            .Select(r => new { member = r.Key.ToString(), shards = r.Value.Stats.Count, entities = r.Value.Stats.Values.Sum() }).ToArray();
        if (command.Json)
        {
            await output.WriteAsync(JsonSerializer.Serialize(rows));
            return;
        }
        foreach (var row in rows) await output.WriteAsync($"{row.member} | shards: {row.shards} | entities: {row.entities}");
        await output.WriteAsync($"Total: {rows.Sum(r => r.shards)} shards, {rows.Sum(r => r.entities)} entities");
    }
}
