using ActorTrain.Cluster;
using ActorTrain.Cmd.Palettes;
using ActorTrain.Node.Commands;
using ActorTrain.Protocol.Training;
using Akka.Actor;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Cluster.Training;
using ActorTrain.Data.Sampling;

namespace ActorTrain.Node.Cmd;

/// <summary>`train`: the training runs of the cluster — list, status, start, pause, resume, stop, checkpoints, tail.</summary>
public sealed class TrainPalette(ActorSystem system, IActorRef runs, string dataDirectory) : PaletteHandler
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly ArgumentDefinition Run = new("run", "r", "The run's name.", Mandatory: true);

    public override PaletteDefinition Definition { get; } = new("train", "Training runs.",
    [
        new("list", "Every run the cluster knows: status, step, last loss, replicas.", []),
        new("status", "One run: status, step, consumed samples, last loss and throughput, replicas, newest checkpoint.", [Run]),
        new("start", "Start a run (or carry on a stopped one).",
        [
            Run,
            new("dataset", null, "Tokenized dataset directory (every trainer node must see it).", Mandatory: true),
            new("run-dir", null, "Run directory (checkpoints, metrics). Default: <data-dir>/runs/RUN of this node."),
            new("preset", null, "Model preset: tiny, small, gpt2-124m.", Default: "tiny"),
            new("objective", null, "causal, mlm or span.", Default: "causal"),
            new("steps", null, "Optimizer steps.", Default: "1000"),
            new("global-batch", null, "Sequences per step, split among the replicas.", Default: "16"),
            new("micro-batch", null, "Sequences per forward/backward on a replica.", Default: "8"),
            new("lr", null, "Peak learning rate.", Default: "0.003"),
            new("seed", null, "Seed of initialisation and sample order.", Default: "1337"),
            new("replicas", null, "Trainer replicas (one per free device).", Default: "2"),
            new("checkpoint-every", null, "Steps between checkpoints.", Default: "500"),
        ]),
        new("pause", "Pause after the step in flight.", [Run]),
        new("resume", "Resume a paused run.", [Run]),
        new("stop", "Stop after the step in flight, with a checkpoint.", [Run]),
        new("checkpoint", "Write a checkpoint after the step in flight.", [Run]),
        new("checkpoints", "The run's recorded checkpoints: step, path, sha256.", [Run]),
        new("tail", "Stream committed steps (step, loss, tokens/s, replicas) until Ctrl+C or the run ends.", [Run]),
        new("sample", "Continue a prompt with the run's newest checkpoint (causal runs), on this node.",
        [
            Run,
            new("prompt", "p", "The text to continue.", Mandatory: true),
            new("max-tokens", null, "Tokens to generate.", Default: "48"),
            new("seed", null, "Sampling seed.", Default: "1"),
        ]),
    ]);

    public override async Task ExecuteAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken)
    {
        switch (command.Command.Name)
        {
            case "list":
                await ListAsync(command.Json, output, cancellationToken);
                return;
            case "tail":
                await TailAsync(command.Required("run"), command.Json, output, cancellationToken);
                return;
            case "sample":
                await SampleAsync(command, output, cancellationToken);
                return;
            case "checkpoints":
                var known = await Existing(command.Required("run"), cancellationToken);
                await output.WriteAsync(command.Json ? PaletteJson.Serialize(known.Checkpoints)
                    : known.Checkpoints.Count == 0 ? "no checkpoint yet" : string.Join("\n", known.Checkpoints.Select(c => $"step {c.Step} | {c.Path} | {c.Sha256}")));
                return;
        }
        string run = command.Required("run");
        if (command.Command.Name == "start" && DirectoryNames.ProblemWith("-r/--run", run) is { } badName) throw new CommandLineException(badName);
        var state = command.Command.Name switch
        {
            "status" => await Existing(run, cancellationToken),
            "start" => await Ask(new TrainingRunCommands.Start(run, Spec(command, run)), cancellationToken),
            "pause" => await AskExisting(run, new TrainingRunCommands.Pause(run), cancellationToken),
            "resume" => await AskExisting(run, new TrainingRunCommands.Resume(run), cancellationToken),
            "stop" => await AskExisting(run, new TrainingRunCommands.Stop(run), cancellationToken),
            _ => await AskExisting(run, new TrainingRunCommands.CheckpointNow(run), cancellationToken),
        };
        await output.WriteAsync(command.Json ? PaletteJson.Serialize(Summary(run, state)) : Line(run, state));
    }

    // A dataset no replica could train on is refused before the run is journaled: each replica would fail on it at every try.
    private static void DatasetProblem(string dataset)
    {
        try
        {
            if (ActorTrain.Data.Tokens.DatasetIndex.Load(dataset).TokenizerChange() is { } changed) throw new CommandFailedException($"--dataset {dataset}: {changed}");
        }
        catch (InvalidDataException e)
        {
            throw new CommandFailedException($"--dataset {e.Message}");
        }
    }

    private TrainingSpec Spec(ParsedCommand command, string run)
    {
        string dataset = Path.GetFullPath(command.Required("dataset"));
        if (!File.Exists(Path.Combine(dataset, "dataset.json"))) throw new CommandFailedException($"--dataset {dataset}: no dataset.json there (not a tokenized dataset)");
        DatasetProblem(dataset);
        int steps = command.Integer("steps", 1000), batch = command.Integer("global-batch", 16), micro = command.Integer("micro-batch", 8);
        int replicas = command.Integer("replicas", 2), every = command.Integer("checkpoint-every", 500);
        if (steps < 1 || batch < 1 || micro < 1 || replicas < 1 || every < 1) throw new CommandLineException("--steps, --global-batch, --micro-batch, --replicas and --checkpoint-every must be at least 1");
        if (replicas > batch) throw new CommandLineException($"--replicas {replicas} is more than the global batch of {batch}");
        if (!double.TryParse(command.Value("lr"), System.Globalization.CultureInfo.InvariantCulture, out double lr) || !double.IsFinite(lr) || lr <= 0)
            throw new CommandLineException($"--lr '{command.Value("lr")}' is not a positive number");
        if (!ulong.TryParse(command.Value("seed"), out ulong seed)) throw new CommandLineException($"--seed '{command.Value("seed")}' is not a whole number");
        string objective = command.Required("objective");
        if (objective is not ("causal" or "mlm" or "span")) throw new CommandLineException($"--objective '{objective}': causal, mlm or span");
        string preset = command.Required("preset");
        try
        {
            ActorTrain.Model.ModelConfig.Preset(preset, 64); // a typo journaled with the run would stick to its name for good
        }
        catch (ArgumentException e)
        {
            throw new CommandLineException($"--preset: {e.Message}");
        }
        string runDirectory = Path.GetFullPath(command.Value("run-dir") ?? Path.Combine(dataDirectory, "runs", run));
        return new TrainingSpec(dataset, runDirectory, preset, objective, steps, batch, micro, lr, seed, replicas, every, RandomStreams.ForNewRuns);
    }

    private async Task ListAsync(bool json, ICommandOutput output, CancellationToken cancellationToken)
    {
        // From the journal: a finished run's entity is passivated, and no region knows it any more.
        var names = (await JournaledNames.ListAsync(system, TrainingRunActor.PersistencePrefix, cancellationToken)).ToArray();
        var asked = await Task.WhenAll(names.Select(name => Ask(new TrainingRunCommands.GetStatus(name, TrainingRunCommands.GetStatus.NewestOnly), cancellationToken)));
        // Asking about a name that was never started wakes an empty entity: not a run.
        var states = asked.Where(s => s.Status != TrainingRunStatus.New).ToArray();
        names = [.. names.Where((_, i) => asked[i].Status != TrainingRunStatus.New)];
        if (json)
        {
            await output.WriteAsync(PaletteJson.Serialize(names.Select((name, i) => Summary(name, states[i]))));
            return;
        }
        if (names.Length == 0) await output.WriteAsync("no training run");
        for (int i = 0; i < names.Length; i++) await output.WriteAsync(Line(names[i], states[i]));
    }

    private async Task TailAsync(string run, bool json, ICommandOutput output, CancellationToken cancellationToken)
    {
        var state = await Existing(run, cancellationToken);
        long shown = state.NextStep;
        await output.WriteAsync(json ? PaletteJson.Serialize(Summary(run, state)) : Line(run, state));
        while (state.Status is TrainingRunStatus.Running or TrainingRunStatus.Paused)
        {
            await Task.Delay(500, cancellationToken);
            state = await Ask(new TrainingRunCommands.GetStatus(run, FromStep: shown), cancellationToken);
            foreach (var step in state.Steps.Where(step => step.Step >= shown))
            {
                double tokensPerSecond = ActorTrain.Node.Training.StepThroughput.TokensPerSecond(state.Spec!, step);
                await output.WriteAsync(json
                    ? PaletteJson.Serialize(new { step = step.Step + 1, loss = step.Loss, tokensPerSecond, replicas = step.Ranks })
                    : $"step {step.Step + 1} | loss {step.Loss:0.0000} | {tokensPerSecond:0} tokens/s | replicas [{string.Join(", ", step.Ranks)}]");
            }
            shown = state.NextStep;
        }
        await output.WriteAsync(json ? PaletteJson.Serialize(Summary(run, state)) : $"run {run} is {state.Status.ToString().ToLowerInvariant()}");
    }

    private async Task SampleAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken)
    {
        var state = await Existing(command.Required("run"), cancellationToken);
        if (state.Checkpoints.Count == 0) throw new CommandFailedException($"run {command.Required("run")} has no checkpoint yet (train checkpoint -r writes one)");
        int maxTokens = command.Integer("max-tokens", 48);
        if (maxTokens is < 1 or > 4096) throw new CommandLineException("--max-tokens must be 1 to 4096");
        string prompt = command.Required("prompt");
        if (!ulong.TryParse(command.Required("seed"), out ulong seed)) throw new CommandLineException($"--seed '{command.Required("seed")}' is not a whole number");
        string text = await Task.Run(() =>
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var (model, tokenizer, objective) = ActorTrain.Node.Commands.SampleCommand.Load(state.Checkpoints[^1].Path, _ => { });
            using (model)
            {
                if (objective != ActorTrain.Model.Objective.Causal) throw new CommandFailedException($"run {command.Required("run")} trains the {objective} objective: sampling continues causal runs only");
                var generated = ActorTrain.Model.TextGenerator.Continue(model, tokenizer.EncodeWithSpecialTokens(prompt), maxTokens, 0.8, 40,
                    seed, tokenizer.EndOfText);
                return prompt + tokenizer.Decode(generated);
            }
        }, cancellationToken);
        await output.WriteAsync(command.Json ? PaletteJson.Serialize(new { checkpoint = state.Checkpoints[^1].Path, text }) : text);
    }

    private async Task<TrainingRunState> Existing(string run, CancellationToken cancellationToken)
    {
        var state = await Ask(new TrainingRunCommands.GetStatus(run, TrainingRunCommands.GetStatus.NewestOnly), cancellationToken);
        if (state.Status == TrainingRunStatus.New) throw new CommandFailedException($"no training run '{run}'");
        return state;
    }

    private async Task<TrainingRunState> AskExisting(string run, object message, CancellationToken cancellationToken)
    {
        await Existing(run, cancellationToken);
        return await Ask(message, cancellationToken);
    }

    // Every question of this palette is idempotent; one sent to a run whose node just died is lost, so it is asked again.
    private Task<TrainingRunState> Ask(object message, CancellationToken cancellationToken) => runs.AskRepeatedlyAsync<TrainingRunState>(message, Patience, cancellationToken);

    internal static object Summary(string run, TrainingRunState state) => new
    {
        run, status = state.Status.ToString().ToLowerInvariant(), step = state.NextStep, steps = state.Spec?.Steps, consumedSamples = state.ConsumedSamples,
        loss = state.Steps.Count > 0 ? state.Steps[^1].Loss : (double?)null, replicas = state.Steps.Count > 0 ? state.Steps[^1].Ranks.ToArray() : [],
        checkpoint = state.Checkpoints.Count > 0 ? state.Checkpoints[^1].Path : null, problem = state.Problem,
        replayDivergedAt = state.Diverged?.Step,
    };

    internal static string Line(string run, TrainingRunState state)
    {
        string last = state.Steps.Count > 0 ? $" | loss {state.Steps[^1].Loss:0.0000} | replicas [{string.Join(", ", state.Steps[^1].Ranks)}]" : "";
        string checkpoint = state.Checkpoints.Count > 0 ? $" | checkpoint step {state.Checkpoints[^1].Step}" : "";
        string problem = state.Problem is null ? "" : $" | cannot go on: {state.Problem}";
        string diverged = state.Diverged is { } d ? $" | not the journaled run from step {d.Step}: a resume replayed it into other parameters" : "";
        return $"{run} | {state.Status.ToString().ToLowerInvariant()} | step {state.NextStep}/{state.Spec?.Steps} | samples {state.ConsumedSamples}{last}{checkpoint}{diverged}{problem}";
    }
}
