using ActorTrain.Cluster.Configuration;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Dedup;
using ActorTrain.Data.Ingest;
using ActorTrain.Protocol.Dedup;
using ActorTrain.Protocol.Ingest;
using Akka.Actor;

namespace ActorTrain.Cluster.Ingest;

/// <summary>The shard regions of the data path on this node: dedup-index, cleaner and data-shard
/// entities (role data), ingest-job entities (role coordinator; remembered, so that a job whose node died
/// starts again elsewhere by itself: the job drives its shards, nothing drives the job). Rebalancing waits
/// until every region can answer (<see cref="SettledRebalance"/>).</summary>
public sealed record IngestRegions(IActorRef DedupIndex, IActorRef Cleaners, IActorRef DataShards, IActorRef Jobs)
{
    /// <summary>Shards of each entity type: ~10x the nodes a cluster will have, never changed for its life.</summary>
    public const int MaxShards = 100;

    public static IngestRegions Start(ActorSystem system, DataSettings data, IngestSettings ingest)
    {
        var extractor = new IngestMessageExtractor(MaxShards);
        var dedup = SettledRebalance.StartRegion(system, "dedup-index", "data", id => DedupIndexActor.Props(DedupIndexId.Parse(id)), extractor);
        var cleaner = new DocumentCleaner(data.Pipeline, new MinHashSignature(data.MinHash));
        var layout = new DedupLayout(ingest.DedupBuckets, data.MinHash);
        var cleaners = SettledRebalance.StartRegion(system, "cleaner", "data", _ => CleanerActor.Props(cleaner, layout), extractor);
        var shardSettings = new DataShardSettings(data.Readers, ingest.ChunkRecords, layout, CleanBatchBytes: 64 * 1024, ingest.AskTimeout);
        var shards = SettledRebalance.StartRegion(system, "data-shard", "data", id => DataShardActor.Props(DataShardId.Parse(id), shardSettings, dedup, cleaners), extractor);
        var jobs = SettledRebalance.StartRegion(system, "ingest-job", "coordinator", id => IngestJobActor.Props(id, shards, layout, TimeSpan.FromHours(1), ingest.PlanAnswerWithin), extractor,
            rememberEntities: true);
        return new IngestRegions(dedup, cleaners, shards, jobs);
    }
}
