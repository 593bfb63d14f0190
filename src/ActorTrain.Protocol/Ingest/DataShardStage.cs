namespace ActorTrain.Protocol.Ingest;

/// <summary>Where a data shard is in its life.</summary>
public enum DataShardStage
{
    New,
    Collecting,
    Collected,
    Finalized,
    Tokenized,
}
