using System.Text.Json.Serialization;

namespace ActorTrain.Model;

/// <summary>metadata.json of a checkpoint: everything needed to continue the run exactly, and the
/// sha256 of every other file of the directory.</summary>
public sealed record CheckpointMetadata(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("consumed_samples")] long ConsumedSamples,
    [property: JsonPropertyName("model")] ModelConfig Model,
    [property: JsonPropertyName("training")] TrainingConfig Training,
    [property: JsonPropertyName("tokenizer")] string Tokenizer,
    [property: JsonPropertyName("tokenizer_sha256")] string? TokenizerSha256,
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("files")] IReadOnlyDictionary<string, string> Files)
{
    public const int CurrentFormat = 1;
}
