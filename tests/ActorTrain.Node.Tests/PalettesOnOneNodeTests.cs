using System.Collections.Immutable;
using System.Text.Json;
using ActorTrain.Cluster;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Cluster.Training;
using ActorTrain.Cmd.Client;
using ActorTrain.Cmd.Host;
using ActorTrain.Node.Commands;
using ActorTrain.Testing;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>The data, train, node and log palettes against a one-node cluster in this process (every role, SQLite).</summary>
public sealed class PalettesOnOneNodeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly TemporaryDirectory root = new("actortrain-palettes-");

    public void Dispose() => root.Dispose();

    [Fact]
    public async Task An_operator_ingests_trains_inspects_and_samples_through_pbm()
    {
        string corpus = Corpus();
        var journal = new SqliteJournal(root.Combine("journal.db"));
        var logs = ConfigurationFactory.ParseString($"akka.loggers = [\"Akka.Event.DefaultLogger\", \"{typeof(ActorTrain.Cmd.Palettes.Builtin.RecentLogsLogger).AssemblyQualifiedName}\"]\nakka.loglevel = INFO");
        var options = new NodeOptions("127.0.0.1", 0, [], ["data", "coordinator", "trainer"], NodeDevices.OneCpu, journal, [logs, ConfigurationFactory.ParseString("akka.stdout-loglevel = WARNING")]);
        await using var node = await ClusterNode.StartAsync(options, Patience);
        await using var host = CommandHost.Start(node.System, new CommandHostSettings(System.Net.IPAddress.Loopback, 0, null), NodeCommand.Palettes(node, options, root.Path));
        string address = $"127.0.0.1:{host.Endpoint.Port}";

        var started = await PbmCommand.OkAsync(address, "data", "ingest", "-j", "tales", "-s", corpus, "-t", "bpe:600", "--shards", "2");
        Assert.StartsWith("tales | ", started);
        await Eventually.Until(() => PbmCommand.OkAsync(address, "data", "status", "-j", "tales"), s => s.StartsWith("tales | completed", StringComparison.Ordinal), Patience, "the ingest job", TimeSpan.FromSeconds(1));
        var status = await PbmCommand.OkAsync(address, "data", "status", "-j", "tales", "--json");
        using (var json = JsonDocument.Parse(status))
        {
            Assert.True(json.RootElement.GetProperty("documentsKept").GetInt64() > 0);
            Assert.True(json.RootElement.GetProperty("droppedByStage").GetProperty("gopher-quality").GetInt64() > 0);
        }
        Assert.Contains("tales | completed", await PbmCommand.OkAsync(address, "data", "jobs"));
        var exported = new MemoryStream();
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(exported);
        string metrics = System.Text.Encoding.UTF8.GetString(exported.ToArray());
        Assert.Matches("actortrain_ingest_documents_kept\\{job=\"tales\"\\} [1-9]", metrics);
        Assert.Matches("actortrain_ingest_documents_dropped\\{job=\"tales\",stage=\"gopher-quality\"\\} [1-9]", metrics);
        var quarantined = await PbmCommand.OkAsync(address, "data", "quarantine", "-j", "tales", "-n", "3");
        Assert.Equal(3, quarantined.TrimEnd().Split('\n').Length);
        Assert.Contains("gopher-quality", quarantined);

        string dataset = Path.Combine(root.Path, "jobs", "tales");
        Assert.StartsWith("story | running", await PbmCommand.OkAsync(address, "train", "start", "-r", "story", "--dataset", dataset, "--steps", "6", "--global-batch", "4",
            "--micro-batch", "4", "--replicas", "1", "--checkpoint-every", "3"));
        await Eventually.Until(() => PbmCommand.OkAsync(address, "train", "status", "-r", "story"), s => s.StartsWith("story | completed", StringComparison.Ordinal), Patience, "the run", TimeSpan.FromSeconds(1));
        var checkpoints = (await PbmCommand.OkAsync(address, "train", "checkpoints", "-r", "story")).TrimEnd().Split('\n');
        Assert.Equal(["step 3", "step 6"], checkpoints.Select(c => c.Split(" | ")[0]));
        var sample = await PbmCommand.OkAsync(address, "train", "sample", "-r", "story", "--prompt", "The river", "--max-tokens", "6");
        Assert.StartsWith("The river", sample);
        Assert.Equal(sample, await PbmCommand.OkAsync(address, "train", "sample", "-r", "story", "--prompt", "The river", "--max-tokens", "6")); // seeded
        Assert.Contains("story | completed | step 6/6", await PbmCommand.OkAsync(address, "train", "list"));

        Assert.Contains("\"journal\"", await PbmCommand.OkAsync(address, "node", "info", "--json"));
        Assert.Contains("run story step ", await PbmCommand.OkAsync(address, "log", "peek", "-n", "500"));
        Assert.Equal("log level is now debug\n", await PbmCommand.OkAsync(address, "log", "set-level", "-l", "debug"));

        var unknown = await PbmCommand.RunAsync(address, "train", "status", "-r", "nobody");
        Assert.Equal((PbmApp.Failed, "pbm: no training run 'nobody'\n"), (unknown.Code, unknown.Errors));
        var badLevel = await PbmCommand.RunAsync(address, "log", "set-level", "-l", "loud");
        Assert.Equal(PbmApp.UsageError, badLevel.Code); // the node found the mistake: a usage error all the same
        Assert.Contains("--level 'loud': debug, info, warning or error", badLevel.Errors);

        // A spec no replica could train is refused before it is journaled under the run's name.
        foreach (var (option, value, said) in new[] { ("--preset", "tinny", "--preset: unknown model preset 'tinny'"), ("--lr", "NaN", "--lr 'NaN' is not a positive number"),
                     ("--lr", "Infinity", "--lr 'Infinity' is not a positive number") })
        {
            var refused = await PbmCommand.RunAsync(address, "train", "start", "-r", "mistyped", "--dataset", dataset, option, value);
            Assert.Equal(PbmApp.UsageError, refused.Code);
            Assert.Contains(said, refused.Errors);
        }
        Assert.DoesNotContain("mistyped", await PbmCommand.OkAsync(address, "train", "list"));

        // Names become directories under the node's data directory and entity ids: none may leave its parent or be empty.
        foreach (var (palette, verb, option, name, said) in new[]
                 {
                     ("train", "start", "-r", "../escape", "-r/--run '../escape' must not contain '/'"), ("train", "start", "-r", "..", "-r/--run '..' is not a name"),
                     ("data", "ingest", "-j", "../evil", "-j/--job '../evil' must not contain '/'"), ("data", "ingest", "-j", " ", "-j/--job must not be empty"),
                 })
        {
            string[] rest = palette == "train" ? ["--dataset", dataset] : ["-s", corpus];
            var refused = await PbmCommand.RunAsync([address, palette, verb, option, name, .. rest]);
            Assert.Equal(PbmApp.UsageError, refused.Code);
            Assert.Contains(said, refused.Errors);
        }
        Assert.False(Directory.Exists(root.Combine("escape")));
        var tooManyShards = await PbmCommand.RunAsync(address, "data", "ingest", "-j", "wide", "-s", corpus, "--shards", "5000");
        Assert.Equal(PbmApp.UsageError, tooManyShards.Code);
        Assert.Contains("--shards must be between 1 and 1024 (got 5000)", tooManyShards.Errors);
        // The command line's mistakes exit 2 as the CLI's do; a job that exists is not asked for with other settings.
        foreach (var (args, said) in new (string[], string)[]
                 {
                     (["-j", "fresh", "-s", corpus, "-t", "bpe:1"], "-t/--tokenizer: tokenizer 'bpe:1': bpe:SIZE needs a vocabulary size from 512"),
                     (["-j", "fresh", "-s", root.Combine("nowhere")], $"--source {root.Combine("nowhere")}: no such file or directory"),
                     (["-j", "tales", "-s", corpus, "-t", "bpe:600", "--shards", "3"], "job tales exists with other settings (--shards: 2 journaled, 3 asked)"),
                 })
        {
            var refused = await PbmCommand.RunAsync([address, "data", "ingest", .. args]);
            Assert.Equal(PbmApp.UsageError, refused.Code);
            Assert.Contains(said, refused.Errors);
        }
        Assert.StartsWith("tales | completed", await PbmCommand.OkAsync(address, "data", "ingest", "-j", "tales", "-s", corpus, "-t", "bpe:600", "--shards", "2"));

        // Its tokenizer.json written over since the tokens were made: no run is journaled on it.
        File.AppendAllText(Path.Combine(dataset, "tokenizer.json"), " ");
        var retokenized = await PbmCommand.RunAsync(address, "train", "start", "-r", "retrained", "--dataset", dataset);
        Assert.Equal(PbmApp.Failed, retokenized.Code);
        Assert.Contains($"tokenizer {Path.Combine(dataset, "tokenizer.json")} has changed since the dataset was tokenized", retokenized.Errors);
        Assert.DoesNotContain("retrained", await PbmCommand.OkAsync(address, "train", "list"));
    }

    private string Corpus()
    {
        string corpus = root.Combine("corpus");
        Directory.CreateDirectory(corpus);
        var random = new Random(5);
        string[] words = ["river", "mountain", "garden", "window", "teacher", "market", "evening", "letter", "village", "harbour"];
        string Word() => words[random.Next(words.Length)] + (char)('a' + random.Next(26));
        for (int f = 0; f < 4; f++)
        {
            var lines = Enumerable.Range(0, 60).Select(i => JsonSerializer.Serialize(new
            {
                // every tenth document is too short for Gopher's quality filter: something to quarantine
                text = i % 10 == 0 ? "Too short." : string.Join('\n', Enumerable.Range(0, 6).Select(_ => "The " + string.Join(' ', Enumerable.Range(0, 10).Select(_ => Word())) + " of the end.")),
            }));
            File.WriteAllLines(Path.Combine(corpus, $"part-{f}.jsonl"), lines);
        }
        return corpus;
    }
}
