using System.Security.Cryptography;
using System.Text.Json;
using ActorTrain.Data.Output;
using ActorTrain.Data.Tokens;
using ActorTrain.Protocol.Ingest;
using ActorTrain.Tokenizers;

namespace ActorTrain.Cluster.Ingest;

/// <summary>What a completed job leaves beside its shards (stats.json always, dataset.json when it tokenized), and the
/// check of the shards' outputs it builds on.</summary>
public static class IngestJobOutputs
{
    /// <exception cref="InvalidDataException">The output is not the one its shard finalized (or is gone); named.</exception>
    public static void CheckShardOutput(string path, string sha256)
    {
        string actual;
        try
        {
            using var file = File.OpenRead(path);
            actual = Convert.ToHexStringLower(SHA256.HashData(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"the shard output {path} cannot be read ({e.Message})", e);
        }
        if (actual != sha256) throw new InvalidDataException($"the shard output {path} changed since it was finalized (SHA-256 {actual}, finalized {sha256})");
    }

    /// <summary>The dataset index over every shard's train and validation tokens, paths relative to the job's directory.</summary>
    public static void WriteDatasetIndex(IngestJobState state)
    {
        var tokenizer = TokenizerCatalog.Load(state.Tokenizer!);
        var shards = new List<DatasetShard>();
        foreach (var tokens in state.Shards.Select(s => s.Tokens!))
        {
            shards.Add(new DatasetShard(Path.GetRelativePath(state.OutputDirectory, tokens.TrainPath), DatasetShard.Train, tokens.TrainTokens, tokens.TrainDocuments, tokens.TrainBytes));
            shards.Add(new DatasetShard(Path.GetRelativePath(state.OutputDirectory, tokens.ValidationPath), DatasetShard.Validation, tokens.ValidationTokens, tokens.ValidationDocuments, tokens.ValidationBytes));
        }
        new DatasetIndex(state.Tokenizer!, state.TokenizerSha256, tokenizer.VocabularySize, tokenizer.EndOfText, shards).Save(state.OutputDirectory);
    }

    public static void WriteStats(string job, IngestJobState state)
    {
        var totals = state.Totals;
        var stats = new
        {
            job,
            shards = state.Shards.Length,
            documents_in = totals.DocumentsIn,
            documents_kept = totals.DocumentsKept,
            bad_records = state.BadRecords,
            bytes_in = totals.BytesIn,
            bytes_out = totals.BytesOut,
            duration_seconds = Math.Round((state.CompletedAt!.Value - state.StartedAt!.Value).TotalSeconds, 3),
            dropped_by_stage = totals.DroppedByStage,
            outputs = state.Shards.Select(s => new { path = s.Output, sha256 = s.Sha256 }),
            tokenizer = state.Tokenizer,
            train_tokens = state.Shards.Sum(s => s.Tokens?.TrainTokens ?? 0),
            validation_tokens = state.Shards.Sum(s => s.Tokens?.ValidationTokens ?? 0),
        };
        using var file = new AtomicFile(Path.Combine(state.OutputDirectory, "stats.json"));
        JsonSerializer.Serialize(file.Stream, stats, new JsonSerializerOptions { WriteIndented = true });
        file.Commit();
    }
}
