using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Cleaning.Quality;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Dedup;
using ActorTrain.Data.Ingest;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class ShardCollectorTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-collector-");
    private readonly ShardCollector collector = new(new ReaderSettings());
    private readonly DocumentCleaner cleaner = new(
        new CleaningPipeline([new NormaliseStage(), new GopherQualityStage(new GopherQualitySettings())]),
        new MinHashSignature(new MinHashSettings()));

    public void Dispose()
    {
        collector.Dispose();
        root.Dispose();
    }

    [Fact]
    public void Small_chunks_from_a_cursor_produce_exactly_the_documents_of_one_big_chunk()
    {
        string corpus = root.Combine("corpus");
        Directory.CreateDirectory(corpus);
        File.WriteAllText(Path.Combine(corpus, "a.jsonl"), string.Join('\n', Enumerable.Range(0, 7).Select(i =>
            i == 3 ? "{broken" : $$"""{"text": "{{Prose.Lines(5, i * 10).Replace("\n", "\\n")}}"}""")));
        File.WriteAllText(Path.Combine(corpus, "b.txt"), Prose.Lines(6, 500));
        File.WriteAllText(Path.Combine(corpus, "c.txt"), "short");
        var files = SourceFiles.List([SourceSpec.Everything(corpus)]);

        string whole = root.Combine("whole"), chunked = root.Combine("chunked");
        Directory.CreateDirectory(whole);
        Directory.CreateDirectory(chunked);
        var all = collector.Collect(files, 0, 0, 0, whole, int.MaxValue, cleaner);
        Assert.Equal((files.Count, 0L), (all.NextFile, all.NextRecord));

        var lines = new List<string>();
        var counts = CleaningCounts.Empty;
        long bad = 0;
        int nextFile = 0, chunk = 0;
        long nextRecord = 0;
        while (nextFile < files.Count)
        {
            var part = collector.Collect(files, nextFile, nextRecord, chunk++, chunked, maxRecords: 2, cleaner);
            lines.AddRange(SequentialIngest.ReadLines(part.Path));
            (nextFile, nextRecord, counts, bad) = (part.NextFile, part.NextRecord, counts.Merge(part.Counts), bad + part.BadRecords);
        }

        Assert.Equal(SequentialIngest.ReadLines(all.Path), lines);
        Assert.Equal(all.Counts.DocumentsIn, counts.DocumentsIn);
        Assert.Equal(all.Counts.DroppedByStage, counts.DroppedByStage);
        Assert.Equal((1L, 1L), (all.BadRecords, bad));
        Assert.Equal(5, chunk); // 9 records, 2 per chunk
    }

    [Fact]
    public void The_next_chunk_reads_on_in_the_open_file_and_an_earlier_cursor_reads_it_again()
    {
        string corpus = root.Combine("corpus");
        Directory.CreateDirectory(corpus);
        string file = Path.Combine(corpus, "a.jsonl");
        File.WriteAllLines(file, Enumerable.Range(0, 6).Select(i => $$"""{"text": "{{Prose.Lines(5, i * 10).Replace("\n", "\\n")}}"}"""));
        string[] files = [file];
        string output = root.Combine("out");
        Directory.CreateDirectory(output);

        var first = collector.Collect(files, 0, 0, 0, output, maxRecords: 2, cleaner);
        // Gone from the directory, still open in the collector: the next chunk can only come from the open file.
        string moved = root.Combine("a.jsonl");
        File.Move(file, moved);
        var second = collector.Collect(files, first.NextFile, first.NextRecord, 1, output, maxRecords: 2, cleaner);
        Assert.Equal((0L, 0L), (first.BadRecords, second.BadRecords));
        Assert.Equal((0, 4L), (second.NextFile, second.NextRecord));
        Assert.Equal([$"{file}#2", $"{file}#3"], second.KeptIds);

        // Behind the position the collector reached (a chunk written again after a failure): the file is opened again.
        File.Move(moved, file);
        var again = collector.Collect(files, 0, 0, 2, output, maxRecords: 2, cleaner);
        Assert.Equal(SequentialIngest.ReadLines(first.Path), SequentialIngest.ReadLines(again.Path));
        Assert.Equal(first.KeptIds, again.KeptIds);
    }
}
