using ActorTrain.Data.Tokens;

namespace ActorTrain.Model;

/// <summary>
/// Whether an intact checkpoint belongs to the run at hand. One of another run (other training settings, tokens of
/// another tokenizer) is not damaged: an older checkpoint of the same directory is no better, so nothing falls back
/// past it and the run is refused.
/// </summary>
public static class CheckpointFit
{
    /// <exception cref="InvalidDataException">The settings or the tokenizer differ; the message names both.</exception>
    public static void ThrowIfOtherRun(LoadedCheckpoint checkpoint, TrainingConfig training, DatasetIndex index, string datasetDirectory)
    {
        // Named setting by setting: the records' own text was one line of every field, nested records included.
        if (checkpoint.Metadata.Training.DifferencesFrom(training) is { Count: > 0 } differences)
            throw new InvalidDataException($"{checkpoint.Directory}: the run was started with other training settings ({string.Join("; ", differences)}): " +
                                           "the same settings resume it, a new run directory takes these");
        if (OtherTokenizer(checkpoint.Metadata, index) is { } other)
            throw new InvalidDataException($"{checkpoint.Directory}: the run was trained on tokens of {other}; the dataset {datasetDirectory} is of {index.Tokenizer}: use a new run directory");
    }

    // The checkpoint's tokenizer when it is not the dataset's (by content where both have a hash, else by name): the same
    // ids would mean other text, and the run would go on silently on it.
    private static string? OtherTokenizer(CheckpointMetadata checkpoint, DatasetIndex index) =>
        checkpoint.TokenizerSha256 is { } saved && index.TokenizerSha256 is { } current
            ? saved == current ? null : $"{checkpoint.Tokenizer} (sha256 {saved[..Math.Min(12, saved.Length)]}, the dataset's {current[..Math.Min(12, current.Length)]})"
            : checkpoint.Tokenizer == index.Tokenizer ? null : checkpoint.Tokenizer;
}
