using ActorTrain.Cluster;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Cluster.Training;
using ActorTrain.Protocol.Training;
using Akka.Actor;
using Akka.Configuration;
using Spectre.Console;

namespace ActorTrain.Node.Training;

/// <summary>
/// Runs a training run of several replicas on a one-node cluster (SQLite journal under the data
/// directory): the training-run entity keeps them in lockstep over the data plane. Running the same
/// run again after a stop resumes it from its journal and newest checkpoint.
/// </summary>
public static class ClusterTraining
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<TrainingRunState> RunAsync(IAnsiConsole console, string run, TrainingSpec spec, string? dataDir, CancellationToken cancellationToken)
    {
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        if (dataDir is not null) config = ConfigurationFactory.ParseString($"actortrain.node.data-dir = {EmbeddedHocon.Quote(dataDir)}").WithFallback(config);
        string directory = NodeDataDirectory.Resolve(config.WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base)));
        await using var node = await SingleNodeCluster.StartAsync("actortrain", new SqliteJournal(Path.Combine(directory, "actortrain.db")), config, Patience);
        var regions = TrainingRegions.Start(node.System, TrainingSettings.From(node.Config));
        var state = await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start(run, spec), Patience, cancellationToken);
        int contextTokens = ActorTrain.Model.ModelConfig.Preset(state.Spec!.Preset, 2).Context;
        if (state.Spec != spec) console.WriteLine($"run {run} exists: carrying on with its own settings from step {state.NextStep}");
        await console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("training", maxValue: state.Spec!.Steps);
                while (state.Status != TrainingRunStatus.Completed)
                {
                    await Task.Delay(500, cancellationToken);
                    state = await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus(run), Patience, cancellationToken);
                    task.Value = state.NextStep;
                    if (state.Steps.Count > 0)
                    {
                        var last = state.Steps[^1];
                        double tokensPerSecond = state.Spec!.GlobalBatch * (double)contextTokens / Math.Max(1e-9, last.Seconds);
                        task.Description = Markup.Escape($"step {state.NextStep}/{state.Spec.Steps}: loss {last.Loss:0.000}, {tokensPerSecond:0} tokens/s, replicas [{string.Join(", ", last.Ranks)}]");
                    }
                }
            });
        return state;
    }
}
