using System.Collections.Immutable;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Ingest;
using ActorTrain.Protocol.Ingest;

namespace ActorTrain.Cluster.Ingest;

/// <summary>
/// A job's plan: its sources listed (files in fixed order) and partitioned into size-balanced shards, each shard's
/// list written into the shard's directory. Fixed for the job's life once journaled; made off the job actor's
/// thread, since listing a tree is a stat per file.
/// </summary>
public static class IngestPlan
{
    /// <summary>Where shard <paramref name="n"/> of a job keeps its list, chunks and outputs.</summary>
    /// <summary>The most shards a job may have. Each is an entity, a directory and a file list, and more shards than
    /// files or cores only cost: a job of 100 000 shards wrote as many directories and never started.</summary>
    public const int MaxShards = 1024;

    /// <returns>Why a job cannot have <paramref name="shards"/> shards; null when it can.</returns>
    public static string? ShardsProblem(int? shards) => shards is < 1 or > MaxShards ? $"--shards must be between 1 and {MaxShards} (got {shards})" : null;

    public static string ShardDirectory(string output, int n) => Path.Combine(output, $"shard-{n:D4}");

    /// <summary>Where a job keeps the sources it was asked for while it plans, when they are too many to journal.</summary>
    public static string SubmittedSourcesPath(string output) => Path.Combine(output, "submitted-sources.jsonl");

    // Names what was listed, so that the wrong path or glob can be seen.
    private static string NoFiles(IngestJobCommands.Start start)
    {
        string globs = string.Concat(start.Include.Select(glob => $" --include {glob}").Concat(start.Exclude.Select(glob => $" --exclude {glob}")));
        string sources = string.Join(", ", start.Sources.Take(3)) + (start.Sources.Length > 3 ? $" and {start.Sources.Length - 3} more" : "");
        return $"its sources hold no file to ingest ({sources}{(globs.Length == 0 ? "" : ";" + globs)})";
    }

    /// <exception cref="IOException">A source cannot be listed, or the lists cannot be written; named.</exception>
    public static ImmutableArray<ShardFileList> Write(string job, IngestJobCommands.Start start)
    {
        IReadOnlyList<string> files;
        try
        {
            files = SourceFiles.List(start.Sources.Select(path => new SourceSpec(path, start.Include, start.Exclude)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"ingest job {job}: cannot list its sources: {e.Message}", e);
        }
        // Planned, an empty job would finish "0 of 0 documents kept" and exit 0: a glob that matches nothing is a mistake.
        if (files.Count == 0) throw new IOException($"ingest job {job}: {NoFiles(start)}");
        if (ShardsProblem(start.Shards) is { } badShards) throw new IOException($"ingest job {job}: {badShards}");
        try
        {
            OutputOwnership.Claim(start.OutputDirectory, job);
            return [.. SourceFiles.Partition(files, start.Shards).Select((shardFiles, n) =>
                ShardFileList.Write(ShardFileList.PathIn(ShardDirectory(start.OutputDirectory, n)), shardFiles))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"ingest job {job}: cannot write its plan under {start.OutputDirectory}: {e.Message}", e);
        }
    }
}
