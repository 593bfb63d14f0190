using System.Diagnostics;
using System.Text.Json;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

public sealed class IngestCommandTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-ingest-cli-");

    public void Dispose() => root.Dispose();

    [Fact]
    public async Task A_killed_ingest_run_again_produces_exactly_the_output_of_an_uninterrupted_one_down_to_the_token_shards()
    {
        // Records enough that the kill lands mid-collection: with 150 per file, ten-record chunks (journaled in WAL mode) were
        // sometimes all collected before the first look at the chunk files, and the run-again found nothing to refuse.
        string corpus = Corpus(files: 6, records: 400);
        string config = root.Combine("small-chunks.conf");
        File.WriteAllText(config, "actortrain.data.ingest.chunk-records = 10\n");
        string[] Arguments(string dataDir) =>
            ["ingest", "--source", corpus, "--job", "crash", "--shards", "2", "--config", config, "--data-dir", dataDir, "--tokenizer", "bpe:600"];

        // Uninterrupted reference.
        var reference = await CommandLine.RunProcessAsync(Arguments(root.Combine("reference")));
        Assert.True(reference.ExitCode == 0, reference.Output);
        // Asked for again with another --output or shard count, the job is refused by name, not reported as what was asked.
        string journaledOutput = Path.Combine(root.Combine("reference"), "jobs", "crash");
        var other = await CommandLine.RunInProcessAsync([.. Arguments(root.Combine("reference")), "--output", root.Combine("elsewhere"), "--shards", "3"]);
        Assert.Equal(ActorTrainApp.UsageError, other.ExitCode);
        Assert.Contains($"job crash exists with other settings (--shards: 2 journaled, 3 asked; --output: {journaledOutput} journaled, {root.Combine("elsewhere")} asked)", other.Output);
        Assert.False(Directory.Exists(root.Combine("elsewhere")));
        // The same options again: the finished job, its statistics.
        var again = await CommandLine.RunInProcessAsync([.. Arguments(root.Combine("reference")), "--json"]);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains($"job crash exists: resuming it (output {journaledOutput}, 2 shards, ", again.Output);

        // SIGKILL once a few chunks are on disk, then the same command again.
        string crashed = root.Combine("crashed");
        using (var process = Start(Arguments(crashed)))
        {
            await Eventually.Until(() => Task.FromResult(ChunkFiles(crashed)), n => n >= 3 || process.HasExited, TimeSpan.FromSeconds(60), "a few chunks");
            Assert.False(process.HasExited, "the job finished before it could be killed: give it more records");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        // Its plan lost meanwhile (the shards' lists moved away): run again, the command names the shard that cannot
        // go on and stops, instead of following a job that will not move; with the lists back, the job goes on.
        var lists = Directory.GetFiles(Path.Combine(crashed, "jobs", "crash"), "planned-files.jsonl", SearchOption.AllDirectories);
        foreach (string list in lists) File.Move(list, list + ".away");
        var lost = await CommandLine.RunInProcessAsync(Arguments(crashed));
        Assert.Equal(1, lost.ExitCode);
        Assert.Contains("ingest job crash cannot go on: shard ", lost.Output);
        Assert.Contains("planned-files.jsonl cannot be read", lost.Output);
        foreach (string list in lists) File.Move(list + ".away", list);
        var resumed = await CommandLine.RunProcessAsync(Arguments(crashed));
        Assert.True(resumed.ExitCode == 0, resumed.Output);

        var (expected, actual) = (Stats(root.Combine("reference")), Stats(crashed));
        Assert.Equal(expected.GetProperty("documents_in").GetInt64(), actual.GetProperty("documents_in").GetInt64());
        Assert.Equal(expected.GetProperty("documents_kept").GetInt64(), actual.GetProperty("documents_kept").GetInt64());
        Assert.Equal(Hashes(expected), Hashes(actual)); // same bytes, shard by shard
        Assert.Equal(TokenFileHashes(root.Combine("reference")), TokenFileHashes(crashed));
        Assert.True(expected.GetProperty("train_tokens").GetInt64() > 10_000);

        // The dataset can be inspected: counts, and the first tokens decoded back into corpus text.
        string dataset = Path.Combine(crashed, "jobs", "crash");
        var inspect = await CommandLine.RunInProcessAsync("dataset", "inspect", dataset, "--tokens", "12");
        Assert.True(inspect.ExitCode == 0, inspect.Output);
        Assert.Contains("validation", inspect.Output);
        Assert.Contains("The ", inspect.Output);

        string torn = root.Combine("torn.tokens");
        var bytes = File.ReadAllBytes(Path.Combine(dataset, "shard-0000", "train.tokens"));
        File.WriteAllBytes(torn, bytes[..(bytes.Length - 9)]);
        var refused = await CommandLine.RunInProcessAsync("dataset", "inspect", torn);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"{torn}: header says", refused.Output);
    }

    // tokenizer.json and every packed shard, by content.
    private static string[] TokenFileHashes(string dataDir)
    {
        string job = Path.Combine(dataDir, "jobs", "crash");
        return [.. Directory.GetFiles(job, "*.tokens", SearchOption.AllDirectories).Append(Path.Combine(job, "tokenizer.json"))
            .Order(StringComparer.Ordinal).Select(f => Path.GetRelativePath(job, f) + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))];
    }

    [Fact]
    public async Task Missing_source_and_bad_config_are_refused_with_the_reason()
    {
        var missing = await CommandLine.RunInProcessAsync("ingest", "--source", root.Combine("nope"), "--job", "x");
        Assert.Equal(ActorTrainApp.UsageError, missing.ExitCode);
        Assert.Contains("no such file or directory", missing.Output);

        string config = root.Combine("bad.conf");
        File.WriteAllText(config, "actortrain.data.stages = [normalise, spellcheck]\n");
        var bad = await CommandLine.RunInProcessAsync("ingest", "--source", root.Path, "--job", "x", "--config", config, "--data-dir", root.Combine("d"));
        Assert.Equal(ActorTrainApp.UsageError, bad.ExitCode);
        Assert.Contains("unknown stage 'spellcheck'", bad.Output);

        // The checks a node makes: unknown keys and broken structure, by file and line.
        File.WriteAllText(config, "# ingest settings\nactortrain.data.ingest.chunk-recods = 10\n");
        var typo = await CommandLine.RunInProcessAsync("ingest", "--source", root.Path, "--job", "x", "--config", config, "--data-dir", root.Combine("d"));
        Assert.Equal(ActorTrainApp.UsageError, typo.ExitCode);
        Assert.Contains($"{config}:2: unknown key actortrain.data.ingest.chunk-recods (did you mean actortrain.data.ingest.chunk-records?)", typo.Output);
        File.WriteAllText(config, "actortrain.data.ingest {\n  chunk-records = 10\n");
        var unclosed = await CommandLine.RunInProcessAsync("ingest", "--source", root.Path, "--job", "x", "--config", config, "--data-dir", root.Combine("d"));
        Assert.Equal(ActorTrainApp.UsageError, unclosed.ExitCode);
        Assert.Contains($"{config}:1:", unclosed.Output);

        // A tokenizer.json without the special tokens training needs (as Hugging Face's GPT-2 one): refused before
        // anything is read, not when the shards tokenize.
        string tokenizer = root.Combine("no-specials.json");
        ActorTrain.Tokenizers.HuggingFaceTokenizerJson.Save(ActorTrain.Tokenizers.BpeTrainer.Train(["the river and the garden, the river and the sea"], 600), tokenizer);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(tokenizer))!;
        json["added_tokens"] = new System.Text.Json.Nodes.JsonArray();
        File.WriteAllText(tokenizer, json.ToJsonString());
        var noSpecials = await CommandLine.RunInProcessAsync("ingest", "--source", root.Path, "--job", "x", "--tokenizer", tokenizer, "--data-dir", root.Combine("d"));
        Assert.Equal(ActorTrainApp.UsageError, noSpecials.ExitCode);
        Assert.Contains($"--tokenizer: {tokenizer}: the vocabulary has no <|endoftext|> token", noSpecials.Output);

        // An output directory that cannot be made (it would be under a regular file): the plan is refused by name.
        string file = root.Combine("a-file");
        File.WriteAllText(file, "");
        var unwritable = await CommandLine.RunInProcessAsync("ingest", "--source", root.Path, "--job", "x", "--output", Path.Combine(file, "out"), "--data-dir", root.Combine("d"));
        Assert.Equal(1, unwritable.ExitCode);
        Assert.Contains($"ingest job x: cannot write its plan under {Path.Combine(file, "out")}", unwritable.Output);

        // Another job's output, or a directory of files of no job: neither is written over.
        string taken = root.Combine("taken"), stray = root.Combine("stray");
        Directory.CreateDirectory(taken);
        File.WriteAllText(Path.Combine(taken, "ingest-job"), "first\n");
        Directory.CreateDirectory(stray);
        File.WriteAllText(Path.Combine(stray, "notes.txt"), "mine");
        var other = await CommandLine.RunInProcessAsync("ingest", "--source", root.Path, "--job", "second", "--output", taken, "--data-dir", root.Combine("d"));
        Assert.Equal(1, other.ExitCode);
        Assert.Contains($"ingest job second: cannot write its plan under {taken}: it is the output of job first", other.Output);
        var notEmpty = await CommandLine.RunInProcessAsync("ingest", "--source", root.Path, "--job", "third", "--output", stray, "--data-dir", root.Combine("d"));
        Assert.Equal(1, notEmpty.ExitCode);
        Assert.Contains("it is not empty and belongs to no job", notEmpty.Output);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(stray).Select(Path.GetFileName));
        // Too many sources to journal inline: their list, kept in the output directory, is not written into it either.
        string many = root.Combine("many");
        Directory.CreateDirectory(many);
        var manySources = Enumerable.Range(0, 300).Select(i => Path.Combine(many, $"{i}.txt")).ToArray();
        foreach (string source in manySources) File.WriteAllText(source, "x");
        var manyIntoStray = await CommandLine.RunInProcessAsync(["ingest", .. manySources.SelectMany(source => new[] { "--source", source }), "--job", "fourth",
            "--output", stray, "--data-dir", root.Combine("d")]);
        Assert.Equal(1, manyIntoStray.ExitCode);
        Assert.Contains("it is not empty and belongs to no job", manyIntoStray.Output);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(stray).Select(Path.GetFileName));

        // A journal that cannot be opened is named at once (it was a minute's wait and "Timeout").
        string broken = root.Combine("broken-data");
        Directory.CreateDirectory(Path.Combine(broken, "actortrain.db"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var noJournal = await CommandLine.RunInProcessAsync("ingest", "--source", root.Path, "--job", "x", "--data-dir", broken);
        Assert.Equal(1, noJournal.ExitCode);
        Assert.Contains($"cannot open SQLite database {Path.Combine(broken, "actortrain.db")}", noJournal.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Sources_with_no_file_or_no_document_kept_fail_naming_why_and_the_job_takes_a_corrected_request()
    {
        string empty = root.Combine("empty"), dataDir = root.Combine("d");
        Directory.CreateDirectory(empty);
        var nothing = await CommandLine.RunInProcessAsync("ingest", "--source", empty, "--job", "e", "--data-dir", dataDir);
        Assert.Equal(1, nothing.ExitCode);
        Assert.Contains($"ingest job e: its sources hold no file to ingest ({empty})", nothing.Output);

        string notes = root.Combine("notes");
        Directory.CreateDirectory(notes);
        File.WriteAllText(Path.Combine(notes, "short.txt"), "hi\n");
        var unmatched = await CommandLine.RunInProcessAsync("ingest", "--source", notes, "--include", "**/*.md", "--job", "e", "--data-dir", dataDir);
        Assert.Equal(1, unmatched.ExitCode);
        Assert.Contains($"ingest job e: its sources hold no file to ingest ({notes}; --include **/*.md)", unmatched.Output);

        // Corrected, the same job plans again; its one document is too short for the quality filter.
        var dropped = await CommandLine.RunInProcessAsync("ingest", "--source", notes, "--job", "e", "--data-dir", dataDir, "--tokenizer", "bpe:512");
        Assert.Equal(1, dropped.ExitCode);
        Assert.Contains("0 of 1 documents kept", dropped.Output);
        Assert.Contains("job e kept none of its 1 documents (gopher-quality dropped 1): its output holds no text to train on", dropped.Output);
    }

    private string Corpus(int files, int records)
    {
        string corpus = root.Combine("corpus");
        Directory.CreateDirectory(corpus);
        var random = new Random(7);
        string[] words = ["river", "mountain", "garden", "window", "teacher", "market", "evening", "letter", "village", "harbour"];
        string Word() => words[random.Next(words.Length)] + (char)('a' + random.Next(26)) + (char)('a' + random.Next(26));
        for (int f = 0; f < files; f++)
        {
            var lines = Enumerable.Range(0, records).Select(_ => JsonSerializer.Serialize(new
            {
                text = string.Join('\n', Enumerable.Range(0, 6).Select(_ => "The " + string.Join(' ', Enumerable.Range(0, 10).Select(_ => Word())) + " of the end.")),
            }));
            File.WriteAllLines(Path.Combine(corpus, $"part-{f}.jsonl"), lines);
        }
        return corpus;
    }

    private static Process Start(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actortrain.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int ChunkFiles(string dataDir)
    {
        string job = Path.Combine(dataDir, "jobs", "crash");
        return Directory.Exists(job) ? Directory.GetFiles(job, "chunk-*.jsonl.zst", SearchOption.AllDirectories).Length : 0;
    }

    private static JsonElement Stats(string dataDir) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dataDir, "jobs", "crash", "stats.json"))).RootElement;

    private static string[] Hashes(JsonElement stats) =>
        stats.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("sha256").GetString()!).ToArray();
}
