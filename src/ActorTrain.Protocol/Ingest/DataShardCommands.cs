using ActorTrain.Data.Ingest;

namespace ActorTrain.Protocol.Ingest;

/// <summary>What a data shard is asked to do; every command is answered with its <see cref="DataShardReport"/>.</summary>
public static class DataShardCommands
{
    /// <summary>Read and clean the files of <paramref name="Files"/> (a list the job wrote) into
    /// <paramref name="OutputDirectory"/>. Idempotent: a shard that already has its files keeps them and just carries on.</summary>
    /// <param name="Dedup">The job's dedup layout, which the shard journals and holds every node to; null (a job planned
    /// by an older build) for the shard's own node's.</param>
    public sealed record Collect(DataShardId Shard, ShardFileList Files, string OutputDirectory, Dedup.DedupLayout? Dedup = null) : IActorTrainMessage;

    public sealed record GetState(DataShardId Shard) : IActorTrainMessage;

    /// <summary>Once collected (and every shard of the job has claimed its keys): keep the documents
    /// that own all their dedup keys and write the shard's final output. Idempotent.</summary>
    public sealed record Finalize(DataShardId Shard) : IActorTrainMessage;

    /// <summary>Once finalized: tokenize the shard's documents with <paramref name="Tokenizer"/> (a
    /// tokenizer reference) into train and validation packed shards. Idempotent.</summary>
    public sealed record Tokenize(DataShardId Shard, string Tokenizer, double ValidationFraction) : IActorTrainMessage;
}
