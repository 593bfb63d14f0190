using System.Diagnostics;
using System.Text;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Dedup;
using ActorTrain.Data.Documents;
using ActorTrain.Data.Output;

namespace ActorTrain.Data.Ingest;

/// <summary>
/// The whole collect-clean-dedup path in one thread, without actors: the reference the cluster's
/// ingest must reproduce document for document, and the baseline its benchmark compares with.
/// Pass 1 reads and cleans every file, writing cleaned documents to a temporary file and claiming
/// their exact and MinHash keys; pass 2 keeps the documents that own all their keys (the smallest
/// id among duplicates).
/// </summary>
public sealed class SequentialIngest(ReaderSettings readers, CleaningPipeline pipeline, MinHashSettings minHashSettings)
{
    public const string ExactStage = "exact-dedup";
    public const string NearStage = "minhash-dedup";

    /// <summary>Records per chunk of the first pass: bounds the documents held in memory at once.</summary>
    public int ChunkRecords { get; init; } = 1000;

    public IngestResult Run(IReadOnlyList<string> files, string outputDirectory)
    {
        var clock = Stopwatch.StartNew();
        var minHash = new MinHashSignature(minHashSettings);
        var cleaner = new DocumentCleaner(pipeline, minHash);
        using var collector = new ShardCollector(readers);
        string outputPath = Path.Combine(outputDirectory, "documents.jsonl.zst");
        string quarantinePath = Path.Combine(outputDirectory, "quarantine.jsonl.zst");
        string work = Path.Combine(outputDirectory, "collect.tmp");
        Directory.CreateDirectory(work);

        // Pass 1: chunk by chunk, read and clean; every kept document claims its keys.
        var counts = CleaningCounts.Empty;
        long bad = 0;
        int chunks = 0, nextFile = 0;
        long nextRecord = 0;
        var exact = new DuplicateClaimTable();
        var near = new DuplicateClaimTable();
        while (nextFile < files.Count)
        {
            var chunk = collector.Collect(files, nextFile, nextRecord, chunks, work, ChunkRecords, cleaner);
            (nextFile, nextRecord, counts, bad) = (chunk.NextFile, chunk.NextRecord, counts.Merge(chunk.Counts), bad + chunk.BadRecords);
            var chunkKeys = DedupKeysFile.Read(ShardCollector.KeysPath(work, chunks), minHash.Bands);
            for (int i = 0; i < chunk.KeptIds.Count; i++)
            {
                var (source, record) = DocumentIds.Parse(chunk.KeptIds[i]);
                exact.Claim(chunkKeys[i].Exact, exact.SourceNumber(source), record);
                int nearSource = near.SourceNumber(source);
                foreach (ulong band in chunkKeys[i].Bands) near.Claim(band, nearSource, record);
            }
            chunks++;
        }

        // Pass 2: keep the documents that own all their keys.
        using (var quarantine = new JsonlZstWriter(quarantinePath))
        using (var output = new JsonlZstWriter(outputPath))
        {
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                foreach (string line in ReadLines(ShardCollector.QuarantinePath(work, chunk)))
                    quarantine.Append(w =>
                    {
                        using var parsed = System.Text.Json.JsonDocument.Parse(line);
                        parsed.WriteTo(w);
                    });
            }
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                foreach (var (document, keys) in Keyed(work, chunk, minHash.Bands))
                {
                    string? stage = exact.OwnerOf(keys.Exact) != document.Id ? ExactStage
                        : !near.Owns(document.Id, keys.Bands) ? NearStage : null;
                    if (stage is null)
                    {
                        output.Append(w => DocumentJson.Write(w, document));
                        continue;
                    }
                    string original = stage == ExactStage ? exact.OwnerOf(keys.Exact)! : keys.Bands.Select(near.OwnerOf).First(o => o != document.Id)!;
                    counts = counts.Dedup(stage, Encoding.UTF8.GetByteCount(document.Text));
                    quarantine.Append(w => QuarantineJson.Write(w, document.Id, stage, $"duplicate of {original}"));
                }
            }
            output.Complete();
            quarantine.Complete();
        }
        Directory.Delete(work, recursive: true);
        return new IngestResult(counts, bad, outputPath, quarantinePath, clock.Elapsed);
    }

    private static IEnumerable<(Document Document, DedupKeys Keys)> Keyed(string directory, int chunk, int bands)
    {
        var keys = DedupKeysFile.Read(ShardCollector.KeysPath(directory, chunk), bands);
        return ReadLines(ShardCollector.ChunkPath(directory, chunk)).Select(DocumentJson.Read).Select((document, i) => (document, keys[i]));
    }

    /// <summary>The lines of a .jsonl.zst file.</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(CompressedFile.Open(path), Encoding.UTF8);
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine()) yield return line;
    }
}
