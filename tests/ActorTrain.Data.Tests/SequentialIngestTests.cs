using System.Text.Json;
using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Cleaning.Quality;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Dedup;
using ActorTrain.Data.Ingest;
using ActorTrain.Data.Output;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class SequentialIngestTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-ingest-");

    public void Dispose() => root.Dispose();

    private static SequentialIngest Ingest() => new(
        new ReaderSettings(),
        new CleaningPipeline([new NormaliseStage(), new GopherQualityStage(new GopherQualitySettings())]),
        new MinHashSettings());

    private IReadOnlyList<string> PlantedCorpus()
    {
        string corpus = root.Combine("corpus");
        Directory.CreateDirectory(corpus);
        string original = Prose.Lines(30);
        File.WriteAllText(Path.Combine(corpus, "a.txt"), original);
        File.WriteAllText(Path.Combine(corpus, "b.txt"), original);                                             // exact copy
        File.WriteAllText(Path.Combine(corpus, "c.txt"), original.Replace("The", "the") + "\nOne more line of the text."); // near copy
        File.WriteAllText(Path.Combine(corpus, "d.txt"), Prose.Lines(30, 1000));                                 // different
        File.WriteAllText(Path.Combine(corpus, "e.txt"), "too short to be a document");                          // junk
        File.WriteAllBytes(Path.Combine(corpus, "f.txt"), [0, 1, 2, 3]);                                         // binary
        File.WriteAllText(Path.Combine(corpus, "g.jsonl"), $$"""{"text": "{{Prose.Lines(20, 2000).Replace("\n", "\\n")}}"}""" + "\n{broken\n");
        return SourceFiles.List([SourceSpec.Everything(corpus)]);
    }

    [Fact]
    public void Keeps_one_copy_of_each_text_and_quarantines_everything_else_with_its_reason()
    {
        var files = PlantedCorpus();
        string output = root.Combine("out");
        Directory.CreateDirectory(output);
        var result = Ingest().Run(files, output);

        var kept = SequentialIngest.ReadLines(result.Output).Select(DocumentJson.Read).Select(d => Path.GetFileName(d.Id)).ToArray();
        Assert.Equal(["a.txt#0", "d.txt#0", "g.jsonl#0"], kept);

        var quarantined = SequentialIngest.ReadLines(result.Quarantine)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => Path.GetFileName(e.GetProperty("id").GetString()!), e => e.GetProperty("stage").GetString() + ": " + e.GetProperty("reason").GetString());
        Assert.StartsWith("exact-dedup: duplicate of ", quarantined["b.txt#0"]);
        Assert.EndsWith("a.txt#0", quarantined["b.txt#0"]);
        Assert.StartsWith("minhash-dedup: duplicate of ", quarantined["c.txt#0"]);
        Assert.StartsWith("gopher-quality: ", quarantined["e.txt#0"]);
        Assert.Equal("collect: binary file (NUL bytes in its first line)", quarantined["f.txt#0"]);
        Assert.StartsWith("collect: line 2: invalid JSON", quarantined["g.jsonl#1"]);

        Assert.Equal(2, result.BadRecords);
        Assert.Equal(3, result.Counts.DocumentsKept);
        Assert.Equal(1, result.Counts.DroppedByStage["exact-dedup"]);
        Assert.Equal(1, result.Counts.DroppedByStage["minhash-dedup"]);
        Assert.False(Directory.Exists(Path.Combine(output, "collect.tmp")));
    }

    [Fact]
    public void The_same_corpus_gives_the_same_bytes()
    {
        var files = PlantedCorpus();
        string first = root.Combine("first"), second = root.Combine("second");
        Directory.CreateDirectory(first);
        Directory.CreateDirectory(second);
        var a = Ingest().Run(files, first);
        var b = Ingest().Run(files, second);
        Assert.Equal(File.ReadAllBytes(a.Output), File.ReadAllBytes(b.Output));
        Assert.Equal(File.ReadAllBytes(a.Quarantine), File.ReadAllBytes(b.Quarantine));
    }

    [Fact]
    public void Sources_are_listed_in_one_order_with_globs_and_split_into_contiguous_shards()
    {
        var files = PlantedCorpus();
        var onlyText = SourceFiles.List([new SourceSpec(root.Combine("corpus"), ["**/*.txt"], ["f.txt"])]);
        Assert.Equal(["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"], onlyText.Select(Path.GetFileName));
        var shards = SourceFiles.Partition(files, 3);
        Assert.Equal(files, shards.SelectMany(s => s));
        Assert.All(shards, s => Assert.NotEmpty(s));
        Assert.Throws<FileNotFoundException>(() => SourceFiles.List([SourceSpec.Everything(root.Combine("missing"))]));
    }
}
