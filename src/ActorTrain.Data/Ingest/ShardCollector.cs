using System.Text;
using System.Text.Json;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Output;

namespace ActorTrain.Data.Ingest;

/// <param name="Path">The chunk's cleaned documents (.jsonl.zst), complete on disk.</param>
/// <param name="NextFile">Where reading continues: file index ...</param>
/// <param name="NextRecord">... and record index within it.</param>
public sealed record ChunkResult(string Path, int NextFile, long NextRecord, long BadRecords, CleaningCounts Counts);

/// <summary>
/// Collects one chunk of a data shard: reads on from a cursor (file, record) through at most
/// <c>maxRecords</c> records, cleans them, and writes the chunk's documents and quarantine lines as
/// two complete files. Deterministic: the same cursor gives the same chunk, which is what lets a
/// shard that crashed between writing a chunk and journaling it simply write it again.
/// </summary>
public sealed class ShardCollector(ReaderSettings readers, CleaningPipeline pipeline)
{
    public static string ChunkPath(string directory, int chunk) => Path.Combine(directory, $"chunk-{chunk:D6}.jsonl.zst");

    public static string QuarantinePath(string directory, int chunk) => Path.Combine(directory, $"quarantine-{chunk:D6}.jsonl.zst");

    public ChunkResult Collect(IReadOnlyList<string> files, int nextFile, long nextRecord, int chunk, string directory, int maxRecords)
    {
        var reader = new DocumentReader(readers);
        var counts = CleaningCounts.Empty;
        long bad = 0;
        int records = 0;
        using var documents = new JsonlZstWriter(ChunkPath(directory, chunk));
        using var quarantine = new JsonlZstWriter(QuarantinePath(directory, chunk));
        while (nextFile < files.Count && records < maxRecords)
        {
            bool fileDone = true;
            foreach (var item in reader.Read(files[nextFile]))
            {
                if (item.Index < nextRecord) continue;
                if (records == maxRecords)
                {
                    fileDone = false;
                    break;
                }
                records++;
                nextRecord = item.Index + 1;
                if (item.Document is null)
                {
                    bad++;
                    quarantine.Append(w => QuarantineJson.Write(w, DocumentIds.For(files[nextFile], item.Index), "collect", item.Problem!));
                    continue;
                }
                var outcome = pipeline.Clean(item.Document);
                long bytesIn = Encoding.UTF8.GetByteCount(item.Document.Text);
                counts = counts.Add(outcome, bytesIn, outcome.Kept is null ? 0 : Encoding.UTF8.GetByteCount(outcome.Kept.Text));
                if (outcome.Kept is { } kept) documents.Append(w => DocumentJson.Write(w, kept));
                else quarantine.Append(w => QuarantineJson.Write(w, item.Document.Id, outcome.DroppedBy!, outcome.Reason!));
            }
            if (fileDone)
            {
                nextFile++;
                nextRecord = 0;
            }
        }
        documents.Complete();
        quarantine.Complete();
        return new ChunkResult(ChunkPath(directory, chunk), nextFile, nextRecord, bad, counts);
    }
}
