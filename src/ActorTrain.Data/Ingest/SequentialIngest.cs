using System.Diagnostics;
using System.IO.Hashing;
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
        var reader = new DocumentReader(readers);
        var minHash = new MinHashSignature(minHashSettings);
        string cleanedPath = Path.Combine(outputDirectory, "cleaned.tmp.jsonl.zst");
        string outputPath = Path.Combine(outputDirectory, "documents.jsonl.zst");
        string quarantinePath = Path.Combine(outputDirectory, "quarantine.jsonl.zst");
        var counts = CleaningCounts.Empty;
        var exact = DuplicateClaims.Empty;
        var near = DuplicateClaims.Empty;
        var keys = new Dictionary<string, (ulong Exact, ulong[] Bands, long BytesIn)>(StringComparer.Ordinal);
        long bad = 0;

        using var quarantine = new JsonlZstWriter(quarantinePath);
        using (var cleaned = new JsonlZstWriter(cleanedPath))
        {
            foreach (string file in files)
            {
                foreach (var item in reader.Read(file))
                {
                    if (item.Document is null)
                    {
                        bad++;
                        quarantine.Append(w => QuarantineLine(w, DocumentIds.For(file, item.Index), "collect", item.Problem!));
                        continue;
                    }
                    long bytesIn = Encoding.UTF8.GetByteCount(item.Document.Text);
                    var outcome = pipeline.Clean(item.Document);
                    if (outcome.Kept is not { } document)
                    {
                        counts = counts.Add(outcome, bytesIn, 0);
                        quarantine.Append(w => QuarantineLine(w, item.Document.Id, outcome.DroppedBy!, outcome.Reason!));
                        continue;
                    }
                    ulong exactKey = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(document.Text));
                    ulong[] bands = minHash.BandKeys(minHash.Compute(document.Text));
                    exact = exact.Claim(exactKey, document.Id);
                    foreach (ulong band in bands) near = near.Claim(band, document.Id);
                    keys[document.Id] = (exactKey, bands, bytesIn);
                    cleaned.Append(w => DocumentJson.Write(w, document));
                }
            }
            cleaned.Complete();
        }

        using (var output = new JsonlZstWriter(outputPath))
        {
            foreach (var document in ReadLines(cleanedPath).Select(DocumentJson.Read))
            {
                var (exactKey, bands, bytesIn) = keys[document.Id];
                string? stage = exact.OwnerOf(exactKey) != document.Id ? ExactStage
                    : !near.Owns(document.Id, bands) ? NearStage : null;
                if (stage is null)
                {
                    counts = counts.Add(new CleaningOutcome(document, null, null), bytesIn, Encoding.UTF8.GetByteCount(document.Text));
                    output.Append(w => DocumentJson.Write(w, document));
                    continue;
                }
                string original = stage == ExactStage ? exact.OwnerOf(exactKey)! : bands.Select(near.OwnerOf).First(o => o != document.Id)!;
                counts = counts.Add(new CleaningOutcome(null, stage, null), bytesIn, 0);
                quarantine.Append(w => QuarantineLine(w, document.Id, stage, $"duplicate of {original}"));
            }
            output.Complete();
        }
        quarantine.Complete();
        File.Delete(cleanedPath);
        return new IngestResult(counts, bad, outputPath, quarantinePath, clock.Elapsed);
    }

    /// <summary>The lines of a .jsonl.zst file.</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(CompressedFile.Open(path), Encoding.UTF8);
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine()) yield return line;
    }

    private static void QuarantineLine(System.Text.Json.Utf8JsonWriter writer, string id, string stage, string reason)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("stage", stage);
        writer.WriteString("reason", reason);
        writer.WriteEndObject();
    }
}
