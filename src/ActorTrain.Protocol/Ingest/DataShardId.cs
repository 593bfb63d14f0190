namespace ActorTrain.Protocol.Ingest;

/// <summary>Shard <paramref name="Number"/> of ingest job <paramref name="Job"/>; entity id "{job}/{n}",
/// persistence id "data-shard-{job}/{n}".</summary>
public sealed record DataShardId(string Job, int Number)
{
    public string EntityId => $"{Job}/{Number}";

    public string PersistenceId => $"data-shard-{EntityId}";

    /// <exception cref="FormatException">Not "{job}/{number}".</exception>
    public static DataShardId Parse(string entityId)
    {
        int slash = entityId.LastIndexOf('/');
        if (slash <= 0 || !int.TryParse(entityId[(slash + 1)..], out int number) || number < 0)
            throw new FormatException($"'{entityId}' is not a data shard id (expected JOB/NUMBER)");
        return new DataShardId(entityId[..slash], number);
    }
}
