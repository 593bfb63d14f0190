using System.Text.Json;
using System.Text.Json.Serialization;
using ActorTrain.Data.Output;

namespace ActorTrain.Data.Tokens;

/// <summary>
/// dataset.json: what a training run needs to find and trust a tokenized dataset — the tokenizer
/// (reference and sha256 of its file, when it has one), the vocabulary, and every packed shard with its
/// split, counts and text bytes. Shards are listed in a fixed order; sample indices depend on it.
/// </summary>
public sealed record DatasetIndex(
    [property: JsonPropertyName("tokenizer")] string Tokenizer,
    [property: JsonPropertyName("tokenizer_sha256")] string? TokenizerSha256,
    [property: JsonPropertyName("vocabulary_size")] int VocabularySize,
    [property: JsonPropertyName("end_of_text")] int EndOfText,
    [property: JsonPropertyName("shards")] IReadOnlyList<DatasetShard> Shards)
{
    public const string FileName = "dataset.json";
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public IEnumerable<DatasetShard> Split(string split) => Shards.Where(s => s.Split == split);

    // What a hand-edited or damaged index says that no ingest writes: found here, not by a training run later.
    private string? Problem()
    {
        if (VocabularySize < 1) return $"vocabulary_size is {VocabularySize}, not a positive number";
        if (EndOfText < 0 || EndOfText >= VocabularySize) return $"end_of_text {EndOfText} is outside the vocabulary [0, {VocabularySize})";
        foreach (var shard in Shards)
        {
            if (shard is null || string.IsNullOrEmpty(shard.Path)) return "a shard without a path";
            if (System.IO.Path.IsPathRooted(shard.Path) || shard.Path.Split('/', '\\').Contains(".."))
                return $"shard {shard.Path} is not a path inside the dataset directory";
            if (shard.Split is not (DatasetShard.Train or DatasetShard.Validation))
                return $"shard {shard.Path} has split '{shard.Split}', not {DatasetShard.Train} or {DatasetShard.Validation}";
            if (shard.Tokens < 0 || shard.Documents < 0 || shard.TextBytes < 0) return $"shard {shard.Path} has a negative count";
        }
        return null;
    }

    /// <returns>Why the tokens cannot be read with the tokenizer file the index names: it changed since they were made
    /// (retrained, or another job's written over it), so every id would stand for other text. Null when it is the same file,
    /// or the tokenizer is not a file (gpt2, cl100k_base), or the file is not at hand (<see cref="TokenizerMissing"/>).</returns>
    public string? TokenizerChange()
    {
        if (TokenizerSha256 is not { } expected || !File.Exists(Tokenizer)) return null;
        string actual;
        using (var file = File.OpenRead(Tokenizer)) actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
        return string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase) ? null
            : $"tokenizer {Tokenizer} has changed since the dataset was tokenized (sha256 {actual}, {FileName} says {expected}): its ids would stand for other text";
    }

    /// <summary>The index names a tokenizer file that is not there (a dataset copied without it): next-token training
    /// needs none, but sampling from the run, and the cloze objectives, do.</summary>
    public bool TokenizerMissing => TokenizerSha256 is not null && !File.Exists(Tokenizer);

    public void Save(string directory)
    {
        using var file = new AtomicFile(Path.Combine(directory, FileName));
        JsonSerializer.Serialize(file.Stream, this, Options);
        file.Commit();
    }

    /// <exception cref="InvalidDataException">No readable dataset.json in the directory; the message names the file.</exception>
    public static DatasetIndex Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: no dataset index (is {directory} a tokenized dataset?)");
        try
        {
            var index = JsonSerializer.Deserialize<DatasetIndex>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: empty");
            if (index.Shards is null || index.Tokenizer is null) throw new InvalidDataException($"{path}: missing tokenizer or shards");
            if (index.Problem() is string problem) throw new InvalidDataException($"{path}: {problem}");
            return index;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a dataset index ({e.Message})", e);
        }
    }
}

/// <param name="Path">Relative to the dataset directory.</param>
public sealed record DatasetShard(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("split")] string Split,
    [property: JsonPropertyName("tokens")] long Tokens,
    [property: JsonPropertyName("documents")] int Documents,
    [property: JsonPropertyName("text_bytes")] long TextBytes)
{
    public const string Train = "train";
    public const string Validation = "validation";
}
