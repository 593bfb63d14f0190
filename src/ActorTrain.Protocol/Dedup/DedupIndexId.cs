namespace ActorTrain.Protocol.Dedup;

/// <summary>Bucket <paramref name="Bucket"/> of job <paramref name="Job"/>'s dedup index: it owns the keys
/// with key % buckets == Bucket. Entity id "{job}/bucket-{k}", persistence id "dedup-index-{job}/bucket-{k}".</summary>
public sealed record DedupIndexId(string Job, int Bucket)
{
    public string EntityId => $"{Job}/bucket-{Bucket}";

    public string PersistenceId => $"dedup-index-{EntityId}";

    public static int BucketOf(ulong key, int buckets) => (int)(key % (ulong)buckets);
}
