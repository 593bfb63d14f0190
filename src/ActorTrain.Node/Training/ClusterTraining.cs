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
/// Starts a training run on a cluster — a one-node cluster in this process with a CPU slot per
/// replica, or a running cluster reached at HOST:PORT — and follows it to the end under a progress
/// bar. Starting a run that exists carries it on from its journal and newest checkpoint.
/// </summary>
public static class ClusterTraining
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <param name="deadline">When reached, the run is stopped (with a checkpoint of where it got to).</param>
    public static async Task<TrainingRunState> RunAsync(IAnsiConsole console, string run, TrainingSpec spec, string? dataDir, CancellationToken cancellationToken,
        DateTimeOffset? deadline = null)
    {
        var devices = NodeDevices.Parse($"cpu:{spec.Replicas}");
        string roles = string.Join(", ", new[] { "data", "coordinator", "trainer" }.Concat(devices.Roles).Select(EmbeddedHocon.Quote));
        var config = ConfigurationFactory.ParseString($"akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\nakka.cluster.roles = [{roles}]");
        if (dataDir is not null) config = ConfigurationFactory.ParseString($"actortrain.node.data-dir = {EmbeddedHocon.Quote(dataDir)}").WithFallback(config);
        string directory = NodeDataDirectory.Resolve(config.WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base)));
        TorchSharp.torch.set_num_threads(devices.ThreadsPerCpuSlot(Environment.ProcessorCount));
        await using var node = await SingleNodeCluster.StartAsync("actortrain", new SqliteJournal(Path.Combine(directory, "actortrain.db")), config, Patience);
        var regions = TrainingRegions.Start(node.System, TrainingSettings.From(node.Config));
        // The run answers while a round forms and while a step is computed or applied: only a journal write stands between a question and its answer.
        // Asked without the interruption's token: once interrupted, the run is still asked to stop and followed to its checkpoint.
        return await FollowAsync(console, run, spec, detach: false, message => regions.Runs.Ask<TrainingRunState>(message, Patience), cancellationToken, deadline,
            stopWhenInterrupted: true);
    }

    /// <param name="contact">HOST:PORT of any node of the cluster.</param>
    /// <param name="detach">Return once the run is started instead of following it.</param>
    /// <param name="patience">How long the cluster may take to answer one question.</param>
    public static async Task<TrainingRunState> RunOnClusterAsync(IAnsiConsole console, string contact, string run, TrainingSpec spec, bool detach, TimeSpan patience,
        CancellationToken cancellationToken)
    {
        await using var connection = ClusterConnection.Open(contact);
        return await FollowAsync(console, run, spec, detach, message => connection.AskRunsAsync<TrainingRunState>(message, patience, CancellationToken.None), cancellationToken);
    }

    /// <exception cref="TrainingRunStuckException">No round of replicas can form: every replica that answers says why it cannot prepare.</exception>
    /// <param name="cancellationToken">Ctrl+C: a run of this process's own cluster is stopped with a checkpoint
    /// (<paramref name="stopWhenInterrupted"/>), which the cluster would not outlive; one of a real cluster goes on there,
    /// only the following stops.</param>
    private static async Task<TrainingRunState> FollowAsync(IAnsiConsole console, string run, TrainingSpec spec, bool detach,
        Func<object, Task<TrainingRunState>> ask, CancellationToken cancellationToken, DateTimeOffset? deadline = null, bool stopWhenInterrupted = false)
    {
        var state = await ask(new TrainingRunCommands.Start(run, spec));
        // Runs are named by their directory's last part: another directory of the same name is another run, which must
        // not follow (and report as its own) the one that has the name.
        if (state.Spec is { } existing && Path.GetFullPath(existing.RunDirectory) != Path.GetFullPath(spec.RunDirectory))
            throw new InvalidDataException($"run {run} already exists with run directory {existing.RunDirectory} (dataset {existing.Dataset}), not {spec.RunDirectory}: " +
                "runs are named by their directory's last part, so give this one a directory of another name");
        if (state.Spec != spec) console.WriteLine($"run {run} exists: carrying on with its own settings from step {state.NextStep}");
        else console.WriteLine($"run {run} started: {spec.Replicas} replicas, {spec.Steps} steps of {spec.GlobalBatch} sequences");
        if (detach) return state;
        await console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("training", maxValue: state.Spec!.Steps);
                DateTimeOffset? stoppedAt = null;
                bool saidPaused = false, saidDiverged = false;
                while (!Over(state, ref stoppedAt))
                {
                    // Paused elsewhere (pbm train pause): followed on, since it may be resumed, but said once.
                    if (state.Status == TrainingRunStatus.Paused && !saidPaused)
                        console.Profile.Out.Writer.WriteLine($"run {run} is paused at step {state.NextStep}; waiting (pbm train resume -r {run} resumes it, Ctrl+C stops following)");
                    saidPaused = state.Status == TrainingRunStatus.Paused;
                    await Task.Delay(500, CancellationToken.None);
                    if (cancellationToken.IsCancellationRequested && !stopWhenInterrupted)
                    {
                        console.Profile.Out.Writer.WriteLine($"stopped following run {run} at step {state.NextStep}; it goes on on the cluster (pbm train stop -r {run} stops it)");
                        return;
                    }
                    bool late = (cancellationToken.IsCancellationRequested || deadline is not null && DateTimeOffset.UtcNow > deadline) && state.Status == TrainingRunStatus.Running;
                    state = await ask(late ? new TrainingRunCommands.Stop(run) : new TrainingRunCommands.GetStatus(run, TrainingRunCommands.GetStatus.NewestOnly));
                    if (state.Problem is { } problem)
                    {
                        // On this process's own cluster the run is stopped: left running in the data directory's journal, it woke
                        // with the next command there and failed on, its replicas holding the devices that command's run needed.
                        // Stopped, it stays out of the way, and the same command resumes it once the cause is mended.
                        if (stopWhenInterrupted) await ask(new TrainingRunCommands.Stop(run));
                        throw new TrainingRunStuckException(run, problem);
                    }
                    if (state.Diverged is { } diverged && !saidDiverged)
                        console.Profile.Out.Writer.WriteLine($"warning: run {run} is not its journaled run from step {diverged.Step} on: resuming, its replicas replayed " +
                                                             "the journal into other parameters (did its dataset change?); it trains on from them");
                    saidDiverged |= state.Diverged is not null;
                    task.Value = state.NextStep;
                    if (state.Steps.Count > 0)
                    {
                        var last = state.Steps[^1];
                        double tokensPerSecond = StepThroughput.TokensPerSecond(state.Spec!, last);
                        task.Description = Markup.Escape($"step {state.NextStep}/{state.Spec!.Steps}: loss {last.Loss:0.000}, {tokensPerSecond:0} tokens/s, replicas [{string.Join(", ", last.Ranks)}]");
                    }
                }
            });
        if (cancellationToken.IsCancellationRequested && stopWhenInterrupted)
            console.Profile.Out.Writer.WriteLine($"interrupted: run {run} stopped at step {state.NextStep}" + StopCheckpoint(state) + "; run the same command again to resume");
        return state;
    }

    // The stop's own checkpoint is the one of the step it stopped at; an older one is not it (the stop's write failed or is late).
    private static string StopCheckpoint(TrainingRunState state) =>
        state.Checkpoints.Count > 0 && state.Checkpoints[^1].Step == state.NextStep ? $" with checkpoint {state.Checkpoints[^1].Path}"
        : state.Checkpoints.Count > 0 ? $" without its checkpoint (none came; it resumes from step {state.Checkpoints[^1].Step}'s and the journal)"
        : " without a checkpoint (none came; it resumes from the journal)";

    // Completed; or stopped, once the stop's checkpoint is recorded (or did not come within a minute).
    private static bool Over(TrainingRunState state, ref DateTimeOffset? stoppedAt)
    {
        if (state.Status == TrainingRunStatus.Completed) return true;
        if (state.Status != TrainingRunStatus.Stopped) return false;
        stoppedAt ??= DateTimeOffset.UtcNow;
        bool checkpointed = state.Checkpoints.Count > 0 && state.Checkpoints[^1].Step == state.NextStep;
        return checkpointed || DateTimeOffset.UtcNow - stoppedAt > TimeSpan.FromMinutes(1);
    }
}
