using ActorTrain.Data.Collection;

namespace ActorTrain.Cluster.Ingest;

/// <param name="Readers">How the shard reads its source files.</param>
/// <param name="ChunkRecords">Records per chunk: the unit of progress that survives a crash.</param>
/// <param name="Bands">MinHash bands per document (the shape of the keys files).</param>
/// <param name="Buckets">Dedup index buckets of the job (key % buckets); fixed for the job's life.</param>
/// <param name="CleanBatchBytes">Text per message to the cleaner: well under remoting's frame size, so a
/// cleaner on another node gets documents in several messages (a larger document goes alone).</param>
/// <param name="AskTimeout">How long a cleaner or a dedup bucket may take to answer.</param>
public sealed record DataShardSettings(ReaderSettings Readers, int ChunkRecords, int Bands, int Buckets, int CleanBatchBytes, TimeSpan AskTimeout);
