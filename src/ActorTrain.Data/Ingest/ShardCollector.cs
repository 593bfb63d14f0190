using System.Text;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Dedup;
using ActorTrain.Data.Documents;
using ActorTrain.Data.Output;

namespace ActorTrain.Data.Ingest;

/// <param name="Path">The chunk's cleaned documents (.jsonl.zst), complete on disk.</param>
/// <param name="NextFile">Where reading continues: file index ...</param>
/// <param name="NextRecord">... and record index within it.</param>
/// <param name="KeptIds">The ids of the chunk's documents, in the order of the file and of its dedup keys.</param>
public sealed record ChunkResult(string Path, int NextFile, long NextRecord, long BadRecords, CleaningCounts Counts, IReadOnlyList<string> KeptIds);

/// <summary>
/// Collects one chunk of a data shard: reads on from a cursor (file, record) through at most
/// <c>maxRecords</c> records, has them cleaned (by the caller's cleaner: in process, or a `cleaner`
/// entity), and writes the chunk's documents, quarantine lines and dedup keys as complete files.
/// Deterministic: the same cursor gives the same chunk, which is what lets a shard that crashed
/// between writing a chunk and journaling it simply write it again. One per shard: it keeps the file
/// it stopped in open for the next chunk (<see cref="FileRecordReader"/>).
/// </summary>
public sealed class ShardCollector(ReaderSettings readers) : IDisposable
{
    private readonly FileRecordReader reader = new(new DocumentReader(readers));

    public static string ChunkPath(string directory, int chunk) => Path.Combine(directory, $"chunk-{chunk:D6}.jsonl.zst");

    public static string QuarantinePath(string directory, int chunk) => Path.Combine(directory, $"quarantine-{chunk:D6}.jsonl.zst");

    public static string KeysPath(string directory, int chunk) => Path.Combine(directory, $"keys-{chunk:D6}.bin");

    public async Task<ChunkResult> CollectAsync(IReadOnlyList<string> files, int nextFile, long nextRecord, int chunk, string directory,
        int maxRecords, Func<IReadOnlyList<Document>, Task<IReadOnlyList<CleaningResult>>> clean)
    {
        var records = new List<(string Id, Document? Document, string? Problem)>();
        while (nextFile < files.Count)
        {
            // A full chunk still looks one record ahead: a file that ends with the chunk moves the cursor to the next file.
            if (reader.At(files[nextFile], nextRecord) is not { } item)
            {
                nextFile++;
                nextRecord = 0;
                continue;
            }
            if (records.Count == maxRecords) break;
            nextRecord = item.Index + 1;
            records.Add((DocumentIds.For(files[nextFile], item.Index), item.Document, item.Problem));
        }

        var documents = records.Where(r => r.Document is not null).Select(r => r.Document!).ToArray();
        var results = await clean(documents);
        if (results.Count != documents.Length)
            throw new InvalidOperationException($"the cleaner answered {results.Count} results for {documents.Length} documents");

        var counts = CleaningCounts.Empty;
        long bad = 0;
        var keys = new List<DedupKeys>();
        var keptIds = new List<string>();
        using var kept = new JsonlZstWriter(ChunkPath(directory, chunk));
        using var quarantine = new JsonlZstWriter(QuarantinePath(directory, chunk));
        int next = 0;
        foreach (var (id, document, problem) in records)
        {
            if (document is null)
            {
                bad++;
                quarantine.Append(w => QuarantineJson.Write(w, id, "collect", problem!));
                continue;
            }
            var result = results[next++];
            counts = counts.Add(result.Outcome, Encoding.UTF8.GetByteCount(document.Text), result.Kept is null ? 0 : Encoding.UTF8.GetByteCount(result.Kept.Text));
            if (result.Kept is { } cleaned)
            {
                kept.Append(w => DocumentJson.Write(w, cleaned));
                keys.Add(result.Keys ?? throw new InvalidOperationException($"the cleaner kept {cleaned.Id} without its dedup keys"));
                keptIds.Add(cleaned.Id);
            }
            else quarantine.Append(w => QuarantineJson.Write(w, document.Id, result.DroppedBy!, result.Reason!));
        }
        kept.Complete();
        quarantine.Complete();
        DedupKeysFile.Write(KeysPath(directory, chunk), keys);
        return new ChunkResult(ChunkPath(directory, chunk), nextFile, nextRecord, bad, counts, keptIds);
    }

    public void Dispose() => reader.Dispose();

    /// <summary>The same, cleaning in this thread.</summary>
    public ChunkResult Collect(IReadOnlyList<string> files, int nextFile, long nextRecord, int chunk, string directory, int maxRecords, DocumentCleaner cleaner) =>
        CollectAsync(files, nextFile, nextRecord, chunk, directory, maxRecords, documents => Task.FromResult(cleaner.Clean(documents))).GetAwaiter().GetResult();
}
