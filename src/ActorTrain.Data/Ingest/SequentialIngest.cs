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

    public IngestResult Run(IReadOnlyList<string> files, string outputDirectory)
    {
        var clock = Stopwatch.StartNew();
        var minHash = new MinHashSignature(minHashSettings);
        string outputPath = Path.Combine(outputDirectory, "documents.jsonl.zst");
        string quarantinePath = Path.Combine(outputDirectory, "quarantine.jsonl.zst");
        string work = Path.Combine(outputDirectory, "collect.tmp");
        Directory.CreateDirectory(work);

        // Pass 1: every file as one chunk, then every cleaned document claims its keys.
        var collected = new ShardCollector(readers, pipeline).Collect(files, 0, 0, 0, work, int.MaxValue);
        var counts = collected.Counts;
        var exact = DuplicateClaims.Empty;
        var near = DuplicateClaims.Empty;
        var keys = new Dictionary<string, (ulong Exact, ulong[] Bands)>(StringComparer.Ordinal);
        foreach (var document in ReadLines(collected.Path).Select(DocumentJson.Read))
        {
            var (exactKey, bands) = DedupKeys.Of(document, minHash);
            exact = exact.Claim(exactKey, document.Id);
            foreach (ulong band in bands) near = near.Claim(band, document.Id);
            keys[document.Id] = (exactKey, bands);
        }

        // Pass 2: keep the documents that own all their keys.
        using (var quarantine = new JsonlZstWriter(quarantinePath))
        using (var output = new JsonlZstWriter(outputPath))
        {
            foreach (string line in ReadLines(ShardCollector.QuarantinePath(work, 0)))
                quarantine.Append(w =>
                {
                    using var parsed = System.Text.Json.JsonDocument.Parse(line);
                    parsed.WriteTo(w);
                });
            foreach (var document in ReadLines(collected.Path).Select(DocumentJson.Read))
            {
                var (exactKey, bands) = keys[document.Id];
                string? stage = exact.OwnerOf(exactKey) != document.Id ? ExactStage
                    : !near.Owns(document.Id, bands) ? NearStage : null;
                if (stage is null)
                {
                    output.Append(w => DocumentJson.Write(w, document));
                    continue;
                }
                string original = stage == ExactStage ? exact.OwnerOf(exactKey)! : bands.Select(near.OwnerOf).First(o => o != document.Id)!;
                counts = counts.Dedup(stage, Encoding.UTF8.GetByteCount(document.Text));
                quarantine.Append(w => QuarantineJson.Write(w, document.Id, stage, $"duplicate of {original}"));
            }
            output.Complete();
            quarantine.Complete();
        }
        Directory.Delete(work, recursive: true);
        return new IngestResult(counts, collected.BadRecords, outputPath, quarantinePath, clock.Elapsed);
    }

    /// <summary>The lines of a .jsonl.zst file.</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(CompressedFile.Open(path), Encoding.UTF8);
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine()) yield return line;
    }
}
