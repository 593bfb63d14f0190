namespace ActorTrain.Protocol.Dedup;

/// <summary>Bucket <paramref name="Bucket"/> of job <paramref name="Job"/>'s dedup index: it owns the keys
/// with key % buckets == Bucket. Entity id "{job}/bucket-{k}", persistence id "dedup-index-{job}/bucket-{k}".</summary>
public sealed record DedupIndexId(string Job, int Bucket)
{
    public string EntityId => $"{Job}/bucket-{Bucket}";

    public string PersistenceId => $"dedup-index-{EntityId}";

    public static int BucketOf(ulong key, int buckets) => (int)(key % (ulong)buckets);

    /// <exception cref="FormatException">Not "{job}/bucket-{k}".</exception>
    public static DedupIndexId Parse(string entityId)
    {
        int at = entityId.LastIndexOf("/bucket-", StringComparison.Ordinal);
        if (at <= 0 || !int.TryParse(entityId[(at + "/bucket-".Length)..], out int bucket) || bucket < 0)
            throw new FormatException($"'{entityId}' is not a dedup index id (expected JOB/bucket-N)");
        return new DedupIndexId(entityId[..at], bucket);
    }
}
