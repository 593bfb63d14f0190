using System.ComponentModel;
using ActorTrain.Data.Tokens;
using ActorTrain.Model;
using ActorTrain.Node.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActorTrain.Node.Commands;

/// <summary>
/// `actortrain train`: one replica trains a preset model on a tokenized dataset, writing metrics,
/// TensorBoard events, checkpoints and loss.png into the run directory; run again, it resumes from
/// the newest good checkpoint.
/// </summary>
public sealed class TrainCommand(IAnsiConsole console, ErrorOutput errors) : Command<TrainCommand.Settings>
{
    public class Settings : CommandSettings
    {
        [CommandOption("--dataset <DIR>")]
        [Description("A tokenized dataset (the output directory of `ingest --tokenizer`, with dataset.json).")]
        public string? Dataset { get; init; }

        [CommandOption("--run <DIR>")]
        [Description("Run directory: metrics.jsonl, tensorboard/, checkpoints/, loss.png. An existing run resumes.")]
        public string? Run { get; init; }

        [CommandOption("--preset <NAME>")]
        [Description("Model preset: tiny, small or gpt2-124m. Default tiny.")]
        public string Preset { get; init; } = "tiny";

        [CommandOption("--objective <NAME>")]
        [Description("causal (next token), mlm (masked tokens) or span (span corruption). Default causal.")]
        public Objective Objective { get; init; } = Objective.Causal;

        [CommandOption("--attention <KIND>")]
        [Description("fused (our kernels), sdpa (libtorch) or naive. Default fused. One replica only.")]
        public AttentionKind? Attention { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Optimizer steps. Default 1000.")]
        public int Steps { get; init; } = 1000;

        [CommandOption("--batch|--global-batch <N>")]
        [Description("Global batch in sequences. Default 16.")]
        public int Batch { get; init; } = 16;

        [CommandOption("--micro-batch <N>")]
        [Description("Sequences per forward/backward (gradient accumulation below the batch). Default: the batch.")]
        public int? MicroBatch { get; init; }

        [CommandOption("--lr <RATE>")]
        [Description("Peak learning rate. Default 3e-3.")]
        public double LearningRate { get; init; } = 3e-3;

        [CommandOption("--seed <N>")]
        [Description("Seed of the initialisation, sample order and masks. Default 1337.")]
        public ulong Seed { get; init; } = 1337;

        [CommandOption("--threads <N>")]
        [Description("Torch threads. Default: all cores. One replica only (replicas share the cores by CPU slot).")]
        public int? Threads { get; init; }

        [CommandOption("--replicas <N>")]
        [Description("Data-parallel replicas on a one-node cluster (journaled steps, ring all-reduce, recovery). Default 1: the single-replica loop.")]
        public int Replicas { get; init; } = 1;

        [CommandOption("--data-dir <DIR>")]
        [Description("Node data directory for the journal of a --replicas run. Default: $XDG_DATA_HOME/actortrain.")]
        public string? DataDir { get; init; }

        [CommandOption("--cluster <HOST:PORT>")]
        [Description("Train on a running cluster (any node's address) with --replicas replicas placed on its devices. The dataset and run directory must be where every trainer node sees them.")]
        public string? Cluster { get; init; }

        [CommandOption("--timeout <SECONDS>")]
        [Description("With --cluster: how long the cluster may take to answer a question. Default 60.")]
        public int TimeoutSeconds { get; init; } = 60;

        [CommandOption("--detach")]
        [Description("With --cluster: return once the run is started (follow it with `pbm` or by running the same command again).")]
        public bool Detach { get; init; }

        [CommandOption("--eval-every <N>")]
        [Description("Steps between validations. Default 100. One replica only.")]
        public int? EvaluateEvery { get; init; }

        [CommandOption("--checkpoint-every <N>")]
        [Description("Steps between checkpoints. Default 500.")]
        public int CheckpointEvery { get; init; } = 500;

        private static int MaxThreads => 8 * Environment.ProcessorCount;

        public override ValidationResult Validate()
        {
            if (DirectoryNames.NotADirectory("--dataset", Dataset) is { } notADirectory) return ValidationResult.Error(notADirectory);
            if (string.IsNullOrWhiteSpace(Run)) return ValidationResult.Error("--run is required");
            if (Steps < 1 || Batch < 1 || MicroBatch is < 1 || EvaluateEvery < 1 || CheckpointEvery < 1 || Threads is < 1 || Replicas < 1)
                return ValidationResult.Error("--steps, --batch, --micro-batch, --eval-every, --checkpoint-every, --threads and --replicas must be at least 1");
            if (Replicas > Batch) return ValidationResult.Error($"--replicas {Replicas} is more than the batch of {Batch} sequences");
            // Each torch thread is a native thread (two, with OpenMP's): a mistyped count exhausted the host's threads.
            if (Threads > MaxThreads) return ValidationResult.Error($"--threads {Threads} is more than {MaxThreads} (8 per core of this machine's {Environment.ProcessorCount})");
            try
            {
                ModelConfig.Preset(Preset, 64); // a typo journaled with a cluster run would stick to the run's name for good
            }
            catch (ArgumentException e)
            {
                return ValidationResult.Error($"--preset: {e.Message}");
            }
            // The cluster path's run spec has no place for them: taken and ignored, they would mislead.
            if ((Replicas > 1 || Cluster is not null) && (Attention is not null || EvaluateEvery is not null || Threads is not null))
                return ValidationResult.Error("--attention, --eval-every and --threads apply to one replica only, not with --replicas or --cluster " +
                                              "(replicas train with fused attention on their CPU slot's share of the cores)");
            if (Detach && Cluster is null) return ValidationResult.Error("--detach needs --cluster");
            if (TimeoutSeconds < 1) return ValidationResult.Error("--timeout must be at least 1 second");
            return double.IsFinite(LearningRate) && LearningRate > 0 ? ValidationResult.Success() : ValidationResult.Error("--lr must be a positive number");
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var interruption = new Interruption(cancellationToken);
        try
        {
            if (settings.Threads is int threads) TorchSharp.torch.set_num_threads(threads);
            if (settings.Replicas > 1 || settings.Cluster is not null) return TrainOnCluster(settings, interruption);
            var options = Options(settings);
            double baseline;
            long step;
            EvaluationResult? validation;
            // The run is closed first: closing its metrics log draws loss.png a last time, without the baseline.
            using (var run = TrainingRun.Open(options, warning => errors.Line("train", warning)))
            {
                Report(console, run);
                validation = TrainingProgressView.Run(console, run, deadline: null, interruption.Token);
                if (interruption.Requested && !run.Finished)
                {
                    // Stopped between steps: what it trained since the last checkpoint is kept, and a rerun resumes here.
                    console.Profile.Out.Writer.WriteLine($"interrupted at step {run.Step}: checkpoint {run.SaveCheckpoint()}; run the same command again to resume");
                    return Interruption.ExitCode;
                }
                validation ??= run.Evaluate(); // no step trained here (the run was done): its loss all the same; null without validation data
                baseline = UnigramBaseline.CrossEntropy(options.DatasetDirectory, run.Index);
                step = run.Step;
            }
            LossPlot.Write(options.RunDirectory, baseline);
            // A dataset without validation tokens has neither a validation loss nor a baseline to set it against.
            console.WriteLine(validation is null
                ? $"step {step}: no validation (the dataset has no validation tokens); run directory {options.RunDirectory}"
                : $"step {step}: validation loss {validation.Loss:0.000} (unigram baseline {baseline:0.000}); run directory {options.RunDirectory}");
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or TimeoutException or FormatException or TrainingDivergedException)
        {
            errors.Line("train", e.Message);
            return 1;
        }
    }

    private int TrainOnCluster(Settings settings, Interruption interruption)
    {
        string runDirectory = Path.GetFullPath(settings.Run!);
        var spec = new ActorTrain.Protocol.Training.TrainingSpec(Path.GetFullPath(settings.Dataset!), runDirectory, settings.Preset, settings.Objective.ToString().ToLowerInvariant(),
            settings.Steps, settings.Batch, settings.MicroBatch ?? Math.Max(1, settings.Batch / settings.Replicas), settings.LearningRate, settings.Seed,
            settings.Replicas, settings.CheckpointEvery, ActorTrain.Data.Sampling.RandomStreams.ForNewRuns);
        string run = Path.GetFileName(runDirectory.TrimEnd('/'));
        var state = (settings.Cluster is null
            ? ClusterTraining.RunAsync(console, run, spec, settings.DataDir, interruption.Token)
            : ClusterTraining.RunOnClusterAsync(console, settings.Cluster, run, spec, settings.Detach, TimeSpan.FromSeconds(settings.TimeoutSeconds), interruption.Token))
            .GetAwaiter().GetResult();
        if (interruption.Requested) return Interruption.ExitCode; // said by the follower: stopped with a checkpoint, or left running on the cluster
        if (state.Status == ActorTrain.Protocol.Training.TrainingRunStatus.Stopped && !settings.Detach)
        {
            // Stopped by someone else (pbm train stop) before its steps were done: not the end this command waited for.
            errors.Line("train", $"run {run} was stopped at step {state.NextStep} of {state.Spec?.Steps}; run the same command again to resume it");
            return 1;
        }
        if (state.Steps.Count == 0)
        {
            console.WriteLine($"run {run}: {state.Status}, no step committed yet");
            return 0;
        }
        var last = state.Steps[^1];
        console.WriteLine($"run {run}: {state.NextStep} steps, last loss {last.Loss:0.000} on replicas [{string.Join(", ", last.Ranks)}]; " +
                          $"{state.Checkpoints.Count} checkpoints, newest {(state.Checkpoints.Count > 0 ? state.Checkpoints[^1].Path : "none")}");
        return 0;
    }

    internal static TrainingRunOptions Options(Settings settings)
    {
        var index = DatasetIndex.Load(settings.Dataset!);
        var model = ModelConfig.Preset(settings.Preset, index.VocabularySize) with { Attention = settings.Attention ?? AttentionKind.Fused };
        var training = TrainingConfig.Default(settings.Objective, settings.Steps) with
        {
            GlobalBatch = settings.Batch, MicroBatch = settings.MicroBatch ?? settings.Batch, LearningRate = settings.LearningRate, Seed = settings.Seed,
        };
        return new TrainingRunOptions(Path.GetFullPath(settings.Dataset!), Path.GetFullPath(settings.Run!), model, training, settings.EvaluateEvery ?? 100, settings.CheckpointEvery);
    }

    internal static void Report(IAnsiConsole console, TrainingRun run)
    {
        console.WriteLine($"{run.Options.Model.Architecture}, {run.Trainer.Model.ParameterCount / 1e6:0.00}M parameters, {run.Options.Model.Attention} attention, " +
                          $"{run.Options.Training.Objective} objective; {run.TrainSamples} training samples of {run.Options.Model.Context} tokens");
        if (run.ResumedFrom is not null) console.WriteLine($"resuming from {run.ResumedFrom} (step {run.Step}, {run.ConsumedSamples} samples consumed)");
    }
}
