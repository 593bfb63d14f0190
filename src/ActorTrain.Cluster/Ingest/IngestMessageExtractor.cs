using ActorTrain.Protocol.Cleaning;
using ActorTrain.Protocol.Dedup;
using ActorTrain.Protocol.Ingest;
using Akka.Cluster.Sharding;

namespace ActorTrain.Cluster.Ingest;

/// <summary>Entity ids of the ingest entities, read from the messages themselves (every command
/// names its entity), hashed onto a fixed number of shards.</summary>
public sealed class IngestMessageExtractor(int maxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string EntityId(object message) => message switch
    {
        DataShardCommands.Collect c => c.Shard.EntityId,
        DataShardCommands.GetState g => g.Shard.EntityId,
        DataShardCommands.Finalize f => f.Shard.EntityId,
        DataShardCommands.Tokenize t => t.Shard.EntityId,
        CleanerCommands.Clean c => c.Cleaner.EntityId,
        DedupIndexCommands.Claim c => c.Index.EntityId,
        DedupIndexCommands.GetOwners g => g.Index.EntityId,
        IngestJobCommands.Start s => s.Job,
        IngestJobCommands.GetStatus g => g.Job,
        _ => null!,
    };
}
