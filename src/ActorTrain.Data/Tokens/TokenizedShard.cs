namespace ActorTrain.Data.Tokens;

/// <summary>One data shard's token output: a train and a validation packed shard, with the text
/// bytes behind each (bits per byte needs them).</summary>
public sealed record TokenizedShard(
    string TrainPath, long TrainTokens, int TrainDocuments, long TrainBytes,
    string ValidationPath, long ValidationTokens, int ValidationDocuments, long ValidationBytes);
