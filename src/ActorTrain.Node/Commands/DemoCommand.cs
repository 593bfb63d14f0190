using ActorTrain.Protocol.Training;
using System.ComponentModel;
using System.Diagnostics;
using ActorTrain.Cluster;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Ingest;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Data.Tokens;
using ActorTrain.Model;
using ActorTrain.Node.Ingest;
using ActorTrain.Node.Training;
using ActorTrain.Protocol.Ingest;
using ActorTrain.Tokenizers;
using Akka.Actor;
using Akka.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActorTrain.Node.Commands;

/// <summary>
/// `actortrain demo`: the whole path in one process — ingest this machine's text with the ingest
/// actors on a one-node cluster (SQLite journal), train a BPE tokenizer and tokenize, train the
/// tiny model for the time left, and write a run directory with metrics, TensorBoard events,
/// loss.png, a checkpoint and samples. A second run reuses the ingested data.
/// </summary>
public sealed class DemoCommand(IAnsiConsole console, ErrorOutput errors) : AsyncCommand<DemoCommand.Settings>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string[] Prompts = ["The ", "This program ", "If the file "];

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--minutes <N>")]
        [Description("Time budget for the whole demo. Default 12.")]
        public double Minutes { get; init; } = 12;

        [CommandOption("--steps <N>")]
        [Description("Train exactly N steps instead of as many as fit in --minutes; the time budget then no longer cuts training short.")]
        public int? Steps { get; init; }

        [CommandOption("--source <PATH>")]
        [Description("Text to learn from instead of this machine's manual pages and documentation; repeat for several.")]
        public string[] Sources { get; init; } = [];

        [CommandOption("--max-megabytes <N>")]
        [Description("Cap on the source files' size on disk (man pages are gzipped, and most of their text is dropped by the quality filters). Default 48.")]
        public double MaxMegabytes { get; init; } = 48;

        [CommandOption("--vocabulary <N>")]
        [Description("Size of the BPE vocabulary to train. Default 4096.")]
        public int Vocabulary { get; init; } = 4096;

        [CommandOption("--data-dir <DIR>")]
        [Description("Node data directory (journal, ingested data, runs). Default: $XDG_DATA_HOME/actortrain.")]
        public string? DataDir { get; init; }

        public override ValidationResult Validate()
        {
            // Written as what is allowed, so that NaN (which every comparison refuses) is refused too.
            if (!(Minutes is > 0 and <= 24 * 60)) return ValidationResult.Error("--minutes must be in (0, 1440]");
            if (Steps is <= 0) return ValidationResult.Error("--steps must be positive");
            if (!(MaxMegabytes > 0 && double.IsFinite(MaxMegabytes))) return ValidationResult.Error("--max-megabytes must be positive");
            if (Vocabulary is < 512 or > 1 << 20) return ValidationResult.Error("--vocabulary must be from 512 to 1048576");
            var missing = Sources.FirstOrDefault(s => !File.Exists(s) && !Directory.Exists(s));
            return missing is null ? ValidationResult.Success() : ValidationResult.Error($"--source {missing}: no such file or directory");
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var interruption = new Interruption(cancellationToken);
        try
        {
            return await RunAsync(settings, interruption);
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            console.Profile.Out.Writer.WriteLine("interrupted: the ingest is journaled as far as it got, and a run again reuses it");
            return Interruption.ExitCode;
        }
    }

    private async Task<int> RunAsync(Settings settings, Interruption interruption)
    {
        var cancellationToken = interruption.Token;
        var clock = Stopwatch.StartNew();
        var deadline = DateTimeOffset.UtcNow.AddMinutes(settings.Minutes);
        // Errors only: cleaning keeps both cores busy, and the one-node cluster's heartbeat warnings about it would drown the progress bars.
        var config = ConfigurationFactory.ParseString("akka.loglevel = ERROR\nakka.stdout-loglevel = ERROR");
        if (settings.DataDir is not null) config = ConfigurationFactory.ParseString($"actortrain.node.data-dir = {EmbeddedHocon.Quote(settings.DataDir)}").WithFallback(config);
        string dataDir = NodeDataDirectory.Resolve(config.WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base)));

        var (files, sources) = DemoSources.Select(settings.Sources, (long)(settings.MaxMegabytes * 1e6), RepositoryRoot());
        // The job is reused when run again: its name holds everything it is made of, the vocabulary as well as the files.
        string job = $"{sources}-bpe{settings.Vocabulary}";
        if (files.Count == 0)
        {
            errors.Line("demo", "no source files to learn from");
            return 1;
        }
        console.MarkupLine($"[bold]1. ingest[/] {files.Count} files ({files.Sum(f => new FileInfo(f).Length) / 1e6:0.0} MB on disk) as job {job}, journal {Markup.Escape(Path.Combine(dataDir, "actortrain.db"))}");
        string dataset = Path.Combine(dataDir, "jobs", job);
        IngestJobState ingested;
        await using (var node = await SingleNodeCluster.StartAsync("actortrain", new SqliteJournal(Path.Combine(dataDir, "actortrain.db")), config, Patience))
        {
            var ingest = IngestSettings.From(node.Config);
            var regions = IngestRegions.Start(node.System, DataSettings.From(node.Config), ingest);
            var start = new IngestJobCommands.Start(job, [.. files], [], [], Math.Max(2, Environment.ProcessorCount), dataset, $"bpe:{settings.Vocabulary}", 0.02);
            ingested = await regions.Jobs.Ask<IngestJobState>(start, Patience, cancellationToken);
            if (ingested.Status == IngestJobStatus.Completed) console.WriteLine("(already ingested: reusing it)");
            ingested = await IngestProgressView.FollowAsync(console, regions, start, ingested, Patience, cancellationToken);
        }

        var index = DatasetIndex.Load(dataset);
        string runDirectory = Path.Combine(dataDir, "runs", $"demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        var model = ModelConfig.Preset("tiny", index.VocabularySize);
        // Time kept for the final validation, the plot and the samples.
        var reserve = TimeSpan.FromSeconds(Math.Min(30, settings.Minutes * 60 * 0.15));
        int steps = settings.Steps ?? CalibrateSteps(dataset, model, deadline - DateTimeOffset.UtcNow - reserve);
        // Two replicas on the one-node cluster, one CPU slot each: the cluster's own training path, in lockstep over the data plane.
        var training = TrainingConfig.Default(Objective.Causal, steps) with { MicroBatch = 8 };
        var spec = new TrainingSpec(dataset, runDirectory, "tiny", "causal", steps, training.GlobalBatch, training.MicroBatch, training.LearningRate, training.Seed,
            Replicas: 2, CheckpointEvery: Math.Max(1, steps / 4), training.StreamDerivation);
        console.MarkupLine($"[bold]2. train[/] the tiny model for {steps} steps with 2 replicas into {Markup.Escape(runDirectory)}");
        var trained = await ClusterTraining.RunAsync(console, Path.GetFileName(runDirectory), spec, dataDir, cancellationToken, settings.Steps is null ? deadline - reserve : null);
        if (interruption.Requested) return Interruption.ExitCode; // the run stopped with a checkpoint, as the follower said
        if (trained.Checkpoints.Count == 0)
        {
            // What follows evaluates the run's checkpoint: without one it would report an untrained model as the result.
            errors.Line("demo", $"run {Path.GetFileName(runDirectory)} recorded no checkpoint ({trained.NextStep} of {steps} steps committed, {trained.Status.ToString().ToLowerInvariant()}); nothing to evaluate");
            return 1;
        }

        // The newest checkpoint, for validation and samples.
        var options = new TrainingRunOptions(dataset, runDirectory, model, training, EvaluateEvery: steps, CheckpointEvery: steps);
        using var run = TrainingRun.Open(options, warning => errors.Line("demo", warning));
        TrainCommand.Report(console, run);
        var validation = run.Evaluate();

        console.MarkupLine("[bold]3. report[/]");
        double baseline = UnigramBaseline.CrossEntropy(dataset, index);
        LossPlot.Write(runDirectory, baseline);
        var tokenizer = TokenizerCatalog.Load(index.Tokenizer);
        var samples = Prompts.Select((prompt, i) => prompt + tokenizer.Decode(TextGenerator.Continue(run.Trainer.Model, tokenizer.Encode(prompt), 48, 0.8, 40, (ulong)i + 1, tokenizer.EndOfText))).ToArray();
        File.WriteAllText(Path.Combine(runDirectory, "samples.txt"), string.Join("\n\n---\n\n", samples) + "\n");
        foreach (string sample in samples) console.Write(new Panel(Markup.Escape(sample)).Header("sample"));
        PrintSummary(ingested, index, run, validation, baseline, clock.Elapsed);
        return 0;
    }

    // Steps that fit the time: four steps measured on a throwaway replica after two to warm up, 90% of the budget used.
    private static int CalibrateSteps(string dataset, ModelConfig model, TimeSpan budget)
    {
        string scratch = Directory.CreateTempSubdirectory("actortrain-calibrate-").FullName;
        try
        {
            using var probe = TrainingRun.Open(new TrainingRunOptions(dataset, scratch, model, TrainingConfig.Default(Objective.Causal, 100), 1000, 1000, 0), _ => { });
            probe.TrainStep();
            probe.TrainStep();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 4; i++) probe.TrainStep();
            double secondsPerStep = clock.Elapsed.TotalSeconds / 4;
            return (int)Math.Clamp(budget.TotalSeconds * 0.9 / secondsPerStep, 20, 100_000);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private void PrintSummary(IngestJobState ingested, DatasetIndex index, TrainingRun run, EvaluationResult? validation, double baseline, TimeSpan elapsed)
    {
        var totals = ingested.Totals;
        var table = new Table().AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders().Title("ActorTrain demo");
        table.AddRow("documents kept / read", $"{totals.DocumentsKept} / {totals.DocumentsIn}");
        table.AddRow("text kept / read", $"{totals.BytesOut / 1e6:0.0} MB / {totals.BytesIn / 1e6:0.0} MB");
        foreach (var (stage, dropped) in totals.DroppedByStage.OrderByDescending(p => p.Value)) table.AddRow($"  dropped by {stage}", dropped.ToString());
        table.AddRow("tokens train / validation", $"{index.Split(DatasetShard.Train).Sum(s => s.Tokens)} / {index.Split(DatasetShard.Validation).Sum(s => s.Tokens)}");
        table.AddRow("vocabulary", index.VocabularySize.ToString());
        table.AddRow("model parameters", $"{run.Trainer.Model.ParameterCount / 1e6:0.00}M");
        table.AddRow("steps", run.Step.ToString());
        table.AddRow("validation loss (nats/token)", validation is null ? "n/a" : $"{validation.Loss:0.000}");
        table.AddRow("unigram baseline (nats/token)", $"{baseline:0.000}");
        table.AddRow("validation bits per byte", validation is null ? "n/a" : $"{validation.BitsPerByte:0.000}");
        table.AddRow("run directory", Markup.Escape(run.Options.RunDirectory));
        table.AddRow("elapsed", $"{elapsed.TotalMinutes:0.0} min");
        console.Write(table);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "ActorTrain.sln"))) return directory.FullName;
        return Directory.GetCurrentDirectory();
    }
}
