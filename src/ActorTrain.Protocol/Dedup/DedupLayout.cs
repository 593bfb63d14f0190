using ActorTrain.Data.Dedup;

namespace ActorTrain.Protocol.Dedup;

/// <summary>
/// How a job's documents become dedup keys (the MinHash settings) and which bucket holds each key (key % buckets).
/// A job journals its planning node's when it plans, and each of its data shards journals the job's. A node whose
/// configuration gives another cannot serve such a shard, nor clean for it: its keys would land in other buckets, or be
/// read with another number of bands, and the owners asked for would not be found, quarantining documents as
/// duplicates of nothing.
/// </summary>
public sealed record DedupLayout(int Buckets, MinHashSettings MinHash)
{
    public override string ToString() =>
        $"{Buckets} dedup buckets, MinHash of {MinHash.ShingleWords}-word shingles in {MinHash.Bands} bands of {MinHash.RowsPerBand} rows, seed {MinHash.Seed:x}";

    /// <summary>What the operator is told when a node's layout is not the job's.</summary>
    public static string Mismatch(DedupLayout node, DedupLayout job) =>
        $"this node's dedup layout ({node}) is not the job's ({job}): every data and coordinator node must share actortrain.ingest.dedup-buckets and actortrain.data.minhash (a job takes the layout of the coordinator that plans it)";
}
