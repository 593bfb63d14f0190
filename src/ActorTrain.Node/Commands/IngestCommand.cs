using System.ComponentModel;
using System.Text.Json;
using ActorTrain.Cluster;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Node.Configuration;
using ActorTrain.Cluster.Ingest;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Node.Ingest;
using ActorTrain.Protocol.Ingest;
using Akka.Actor;
using Akka.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActorTrain.Node.Commands;

/// <summary>
/// `actortrain ingest`: collects, cleans and deduplicates sources on a one-node cluster with a
/// SQLite journal under the data directory. Running the same command again after a crash resumes
/// the job where its journal says it was.
/// </summary>
public sealed class IngestCommand(IAnsiConsole console, ErrorOutput errors) : AsyncCommand<IngestCommand.Settings>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--source <PATH>")]
        [Description("A file or directory to ingest; repeat for several.")]
        public string[] Sources { get; init; } = [];

        [CommandOption("--include <GLOB>")]
        [Description("Only files of directory sources matching this glob (e.g. \"**/*.md\"); repeat for several.")]
        public string[] Include { get; init; } = [];

        [CommandOption("--exclude <GLOB>")]
        [Description("Leave out files of directory sources matching this glob (e.g. \".git/**\"); repeat for several.")]
        public string[] Exclude { get; init; } = [];

        [CommandOption("--job <NAME>")]
        [Description("Job name: its identity in the journal (re-running a job resumes it).")]
        public string? Job { get; init; }

        [CommandOption("--config <FILE>")]
        [Description("HOCON file layered over the defaults (e.g. actortrain.data stages and thresholds).")]
        public string? ConfigFile { get; init; }

        [CommandOption("--shards <N>")]
        [Description("Data shards (default actortrain.data.ingest.shards).")]
        public int? Shards { get; init; }

        [CommandOption("--output <DIR>")]
        [Description("Where the job writes its shards, quarantine and stats. Default: <data-dir>/jobs/<job>.")]
        public string? Output { get; init; }

        [CommandOption("--data-dir <DIR>")]
        [Description("Node data directory (journal, default output). Default: $XDG_DATA_HOME/actortrain.")]
        public string? DataDir { get; init; }

        [CommandOption("--tokenizer <REF>")]
        [Description("Then tokenize into packed shards with gpt2, cl100k_base, a tokenizer.json, or bpe:SIZE (train one on the cleaned text).")]
        public string? Tokenizer { get; init; }

        [CommandOption("--validation-fraction <F>")]
        [Description("Fraction of documents (by text hash) held out for validation when tokenizing. Default 0.01.")]
        public double ValidationFraction { get; init; } = 0.01;

        [CommandOption("--json")]
        [Description("Print the final statistics as JSON.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Sources.Length == 0) return ValidationResult.Error("--source is required (a file or directory; repeat for several)");
            if (string.IsNullOrWhiteSpace(Job)) return ValidationResult.Error("--job is required");
            if (DirectoryNames.ProblemWith("--job", Job) is { } badName) return ValidationResult.Error(badName);
            if (IngestPlan.ShardsProblem(Shards) is { } badShards) return ValidationResult.Error(badShards);
            if (IngestJobActor.TokenizerProblem(Tokenizer) is string problem) return ValidationResult.Error($"--tokenizer: {problem}");
            if (!(ValidationFraction is >= 0 and < 1)) return ValidationResult.Error("--validation-fraction must be in [0, 1)"); // NaN too
            if (ConfigFile is not null && !File.Exists(ConfigFile))
                return ValidationResult.Error($"--config {ConfigFile}: {(Directory.Exists(ConfigFile) ? "a directory, not a HOCON file" : "no such file")}");
            var missing = Sources.FirstOrDefault(s => !File.Exists(s) && !Directory.Exists(s));
            return missing is null ? ValidationResult.Success() : ValidationResult.Error($"--source {missing}: no such file or directory");
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Config config;
        try
        {
            config = Configure(settings); // names file and line itself
        }
        catch (Exception e) when (e is ConfigurationException or IOException)
        {
            errors.Line("ingest", e.Message);
            return ActorTrainApp.UsageError;
        }
        try
        {
            var checkedConfig = config.WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base));
            DataSettings.From(checkedConfig);
            IngestSettings.From(checkedConfig);
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or ArgumentException)
        {
            errors.Line("ingest", $"{settings.ConfigFile ?? "configuration"}: {e.Message}");
            return ActorTrainApp.UsageError;
        }
        var baseConfig = config.WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base));
        string dataDir = NodeDataDirectory.Resolve(baseConfig);
        string job = settings.Job!;
        string output = Path.GetFullPath(settings.Output ?? Path.Combine(dataDir, "jobs", job));
        var journal = new SqliteJournal(Path.Combine(dataDir, "actortrain.db"));

        // Held from before the node starts: Akka's own Ctrl+C hook is off in the in-process cluster, so a Ctrl+C while
        // it starts or takes the job must come here too, and stop it in order.
        using var interruption = new Interruption(cancellationToken);
        try
        {
            await using var node = await SingleNodeCluster.StartAsync("actortrain", journal, config, Patience);
            var ingest = IngestSettings.From(node.Config);
            var regions = IngestRegions.Start(node.System, DataSettings.From(node.Config), ingest);
            var start = new IngestJobCommands.Start(job, [.. settings.Sources.Select(Path.GetFullPath)], [.. settings.Include], [.. settings.Exclude],
                settings.Shards ?? ingest.Shards, output, settings.Tokenizer is { } t && File.Exists(t) ? Path.GetFullPath(t) : settings.Tokenizer, settings.ValidationFraction);
            var asked = DateTimeOffset.UtcNow;
            var state = await regions.Jobs.Ask<IngestJobState>(start, Patience, interruption.Token);
            // A job asked for again carries on with its own settings: asked with others, it is refused rather than reported
            // as if it were what was asked (a finished job given new sources used to end "0 of 0 kept" without a word).
            if (state.Request is { } journaled && IngestRequestDifferences.Between(journaled, start) is { Count: > 0 } differences)
            {
                errors.Line("ingest", IngestRequestDifferences.Refusal(job, differences));
                return ActorTrainApp.UsageError;
            }
            if (state.StartedAt is { } startedAt && startedAt < asked)
            {
                // On standard error: with --json, standard output is the job's statistics and nothing else.
                errors.Line("ingest", $"job {job} exists: resuming it (output {state.OutputDirectory}, {state.ShardFileCounts.Length} shards, tokenizer {state.Tokenizer ?? "none"})");
                if (state.OutputDirectory is { Length: > 0 } journaledOutput) output = journaledOutput;
            }
            state = await IngestProgressView.FollowAsync(console, regions, start, state, Patience, interruption.Token);
            if (settings.Json) console.Profile.Out.Writer.WriteLine(File.ReadAllText(Path.Combine(output, "stats.json")));
            else PrintSummary(state, output);
            if (state.Totals.DocumentsKept > 0) return 0;
            // The job is done and journaled, but nothing came out of it: a dataset with no text is not what was asked for.
            errors.Line("ingest", $"job {job} kept none of its {state.Totals.DocumentsIn} documents ({WhyNoneKept(state)}): its output holds no text to train on");
            return 1;
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            // Every written chunk is journaled; the node has stopped, and the job goes on from there when run again.
            console.Profile.Out.Writer.WriteLine($"interrupted: job {job} is journaled as far as it got; run the same command again to resume");
            return Interruption.ExitCode;
        }
    }

    // The checks of a node's configuration: a file's structure and unknown actortrain.* keys named by
    // file and line, ACTORTRAIN__* variables; no cluster profile (ingest runs a one-node cluster of its own).
    private static Config Configure(Settings settings) =>
        OperatorConfiguration.Layers(settings.ConfigFile is null ? [] : [settings.ConfigFile], settings.DataDir, defaultProfile: null)
            .Aggregate(Config.Empty, (effective, layer) => effective.WithFallback(layer))
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));

    private static string WhyNoneKept(IngestJobState state)
    {
        var causes = state.Totals.DroppedByStage.Where(drop => drop.Value > 0).Select(drop => $"{drop.Key} dropped {drop.Value}").ToList();
        if (state.BadRecords > 0) causes.Insert(0, $"{state.BadRecords} bad records");
        return causes.Count == 0 ? "its files held no document" : string.Join(", ", causes);
    }

    private void PrintSummary(IngestJobState state, string output)
    {
        var totals = state.Totals;
        var table = new Table().AddColumn("stage").AddColumn(new TableColumn("dropped").RightAligned());
        table.AddRow("collect (bad records)", state.BadRecords.ToString());
        foreach (var (stage, dropped) in totals.DroppedByStage) table.AddRow(stage, dropped.ToString());
        console.Write(table);
        console.WriteLine($"{totals.DocumentsKept} of {totals.DocumentsIn} documents kept, {totals.BytesOut / 1e6:0.0} of {totals.BytesIn / 1e6:0.0} MB; output in {output}");
        if (state.Tokenizer is not null)
        {
            console.WriteLine($"{state.Shards.Sum(s => s.Tokens!.TrainTokens)} train and {state.Shards.Sum(s => s.Tokens!.ValidationTokens)} validation tokens " +
                              $"({state.Tokenizer}); dataset index {Path.Combine(output, "dataset.json")}");
        }
    }
}
