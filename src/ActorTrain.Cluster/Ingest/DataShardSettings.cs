using ActorTrain.Data.Dedup;
using ActorTrain.Data.Ingest;

namespace ActorTrain.Cluster.Ingest;

/// <param name="Collector">Reads and cleans one chunk.</param>
/// <param name="ChunkRecords">Records per chunk: the unit of progress that survives a crash.</param>
/// <param name="MinHash">Signatures for near-duplicate keys (one seed for the whole job).</param>
/// <param name="Buckets">Dedup index buckets of the job (key % buckets); fixed for the job's life.</param>
/// <param name="AskTimeout">How long a dedup bucket may take to answer.</param>
public sealed record DataShardSettings(ShardCollector Collector, int ChunkRecords, MinHashSignature MinHash, int Buckets, TimeSpan AskTimeout);
