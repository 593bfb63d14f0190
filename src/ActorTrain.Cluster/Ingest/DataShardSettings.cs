using ActorTrain.Data.Collection;
using ActorTrain.Protocol.Dedup;

namespace ActorTrain.Cluster.Ingest;

/// <param name="Readers">How the shard reads its source files.</param>
/// <param name="ChunkRecords">Records per chunk: the unit of progress that survives a crash.</param>
/// <param name="Dedup">This node's dedup layout: the bands of the keys files, the buckets of the index. A shard
/// journals the layout it was planned with and refuses to go on under another.</param>
/// <param name="CleanBatchBytes">Text per message to the cleaner: well under remoting's frame size, so a
/// cleaner on another node gets documents in several messages (a larger document goes alone).</param>
/// <param name="AskTimeout">How long a cleaner or a dedup bucket may take to answer.</param>
public sealed record DataShardSettings(ReaderSettings Readers, int ChunkRecords, DedupLayout Dedup, int CleanBatchBytes, TimeSpan AskTimeout)
{
    /// <summary>MinHash bands per document (the shape of the keys files).</summary>
    public int Bands => Dedup.MinHash.Bands;

    /// <summary>Dedup index buckets of the job (key % buckets).</summary>
    public int Buckets => Dedup.Buckets;
}
