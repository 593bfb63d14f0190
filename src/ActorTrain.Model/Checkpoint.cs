using System.Security.Cryptography;
using ActorTrain.Data.Output;
using System.Text.Json;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>
/// A checkpoint directory, <c>checkpoints/step-NNNNNNN</c>: model.safetensors (parameters by name),
/// optimizer.safetensors (both AdamW moments per parameter, step in the metadata), metadata.json
/// (configs, step, consumed samples, tokenizer, sha256 of each file) and a COMPLETE marker. Written
/// in a ".partial" directory with every file and the directory fsynced, then renamed (and the parent fsynced): a crash leaves no half checkpoint
/// under a final name. Loading verifies every checksum and the architecture.
/// </summary>
public static class Checkpoint
{
    public const string CompleteMarker = "COMPLETE";
    private const string ModelFile = "model.safetensors";
    private const string OptimizerFile = "optimizer.safetensors";
    private const string MetadataFile = "metadata.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The folder of a run directory that holds its checkpoints.</summary>
    public const string DirectoryName = "checkpoints";

    public static string DirectoryFor(string runDirectory, long step) => Path.Combine(runDirectory, DirectoryName, $"step-{step:D7}");

    /// <returns>The checkpoint directory.</returns>
    public static string Save(string runDirectory, ReplicaTrainer trainer, long consumedSamples, string tokenizer, string? tokenizerSha256, string dataset)
    {
        using var snapshot = TrainerSnapshot.Take(trainer);
        return Save(runDirectory, snapshot, consumedSamples, tokenizer, tokenizerSha256, dataset);
    }

    /// <summary>Writes a checkpoint of a snapshot: safe on any thread while the replica it came from trains on.</summary>
    /// <returns>The checkpoint directory.</returns>
    public static string Save(string runDirectory, TrainerSnapshot snapshot, long consumedSamples, string tokenizer, string? tokenizerSha256, string dataset)
    {
        string final = DirectoryFor(runDirectory, snapshot.Steps);
        string partial = final + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        var files = new Dictionary<string, string>
        {
            [ModelFile] = WriteDurably(Path.Combine(partial, ModelFile), s => Safetensors.Write(s, snapshot.Parameters)),
            [OptimizerFile] = WriteDurably(Path.Combine(partial, OptimizerFile), s => Safetensors.Write(s, snapshot.Moments)),
        };
        var metadata = new CheckpointMetadata(CheckpointMetadata.CurrentFormat, snapshot.Steps, consumedSamples, snapshot.Model, snapshot.Training, tokenizer, tokenizerSha256, dataset, files);
        WriteDurably(Path.Combine(partial, MetadataFile), s => JsonSerializer.Serialize(s, metadata, Json));
        WriteDurably(Path.Combine(partial, CompleteMarker), _ => { });
        DirectorySync.Flush(partial);
        // A checkpoint of the same step (a run resumed from an older one) is moved aside, not deleted, until the new one
        // has its name: a crash in between leaves it under ".replaced", which ReadLatest puts back.
        string replaced = final + ReplacedSuffix;
        for (int attempt = 1; ; attempt++)
        {
            if (Directory.Exists(replaced)) Directory.Delete(replaced, recursive: true);
            if (Directory.Exists(final)) Directory.Move(final, replaced);
            try
            {
                Directory.Move(partial, final);
                break;
            }
            // A reader (ReadLatest, from another replica or `sample`) put the old one back between the two moves: again.
            catch (IOException) when (attempt < 3 && Directory.Exists(final) && Directory.Exists(partial))
            {
            }
        }
        DirectorySync.Flush(Path.GetDirectoryName(final)!);
        if (Directory.Exists(replaced)) Directory.Delete(replaced, recursive: true);
        return final;
    }

    private const string ReplacedSuffix = ".replaced";

    // A ".replaced" checkpoint whose successor never got its name is the newest good one of its step: it goes back.
    private static void RestoreReplaced(string checkpoints)
    {
        foreach (string replaced in Directory.GetDirectories(checkpoints, "step-*" + ReplacedSuffix))
        {
            string final = replaced[..^ReplacedSuffix.Length];
            if (Directory.Exists(final)) continue;
            try
            {
                Directory.Move(replaced, final);
                DirectorySync.Flush(checkpoints);
            }
            catch (IOException) when (!Directory.Exists(replaced) || Directory.Exists(final))
            {
                // A writer of that step moved its new one in, and dropped the old one, meanwhile: nothing to put back.
            }
        }
    }

    /// <summary>Reads and verifies a checkpoint without touching any model.</summary>
    /// <exception cref="InvalidDataException">Incomplete, corrupt or unreadable; the message names the directory and the problem.</exception>
    public static LoadedCheckpoint Read(string directory)
    {
        if (!File.Exists(Path.Combine(directory, CompleteMarker))) throw Invalid(directory, $"no {CompleteMarker} marker (an interrupted write?)");
        CheckpointMetadata metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<CheckpointMetadata>(File.ReadAllText(Path.Combine(directory, MetadataFile)), Json) ?? throw Invalid(directory, "empty metadata.json");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw Invalid(directory, $"unreadable metadata.json ({e.Message})");
        }
        if (metadata.Format != CheckpointMetadata.CurrentFormat) throw Invalid(directory, $"format {metadata.Format}, this build reads {CheckpointMetadata.CurrentFormat}");
        // Both tensor files must be listed: one left out of "files" would be read unchecked. Fields that JSON left null
        // (a hand-edited or foreign metadata.json) are a damaged checkpoint, not an exception of another kind.
        if (metadata.Files is null || metadata.Model is null || metadata.Training is null)
            throw Invalid(directory, "metadata.json lacks files, model or training");
        foreach (string required in new[] { ModelFile, OptimizerFile })
            if (!metadata.Files.ContainsKey(required)) throw Invalid(directory, $"metadata.json lists no sha256 for {required}");
        foreach (var (file, expected) in metadata.Files)
        {
            string path = Path.Combine(directory, file);
            if (!File.Exists(path)) throw Invalid(directory, $"{file} is missing");
            string actual = Sha256Of(path);
            if (actual != expected) throw Invalid(directory, $"{file} has sha256 {actual[..12]}..., the metadata says {expected?[..Math.Min(12, expected.Length)]}... (corrupt)");
        }
        var (parameters, _) = Safetensors.Read(Path.Combine(directory, ModelFile));
        var (moments, _) = Safetensors.Read(Path.Combine(directory, OptimizerFile));
        return new LoadedCheckpoint(directory, metadata, parameters, moments);
    }

    /// <summary>The newest checkpoint of the run that reads and verifies; broken newer ones are reported through <paramref name="warn"/> and skipped.</summary>
    /// <param name="olderThan">Only checkpoints of earlier steps than this one (a checkpoint found damaged).</param>
    public static LoadedCheckpoint? ReadLatest(string runDirectory, Action<string> warn, string? olderThan = null)
    {
        string checkpoints = Path.Combine(runDirectory, DirectoryName);
        if (!Directory.Exists(checkpoints)) return null;
        RestoreReplaced(checkpoints);
        string? limit = olderThan is null ? null : Path.GetFileName(Path.TrimEndingDirectorySeparator(olderThan));
        // By the step in the name, not the name: "step-10000000" sorts before "step-9999999".
        long? before = limit is null ? null : StepOf(limit);
        foreach (string directory in Directory.GetDirectories(checkpoints, "step-*")
                     .Where(d => StepOf(Path.GetFileName(d)) is long step && (before is null || step < before))
                     .OrderByDescending(d => StepOf(Path.GetFileName(d))))
        {
            try
            {
                return Read(directory);
            }
            catch (InvalidDataException e)
            {
                warn($"skipping checkpoint {e.Message}");
            }
        }
        return null;
    }

    // The step of a checkpoint directory's name ("step-0000012"); null for anything else (a .partial one).
    private static long? StepOf(string name) =>
        name.StartsWith("step-", StringComparison.Ordinal) && long.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long step)
            ? step : null;

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string WriteDurably(string path, Action<Stream> write)
    {
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        return Sha256Of(path);
    }

    private static InvalidDataException Invalid(string directory, string problem) => new($"{directory}: {problem}");
}
