using System.Collections.Immutable;

namespace ActorTrain.Protocol.Training;

public static class TrainingRunCommands
{
    /// <summary>Start the run (or, for a run that exists, carry on). Answered with its <see cref="TrainingRunState"/>.</summary>
    public sealed record Start(string Run, TrainingSpec Spec) : IActorTrainMessage;

    public sealed record GetStatus(string Run) : IActorTrainMessage;

    /// <summary>Finish the step in flight, then wait. Answered with the state.</summary>
    public sealed record Pause(string Run) : IActorTrainMessage;

    public sealed record Resume(string Run) : IActorTrainMessage;

    /// <summary>Finish the step in flight, write a checkpoint, and end the run for good.</summary>
    public sealed record Stop(string Run) : IActorTrainMessage;

    /// <summary>Write a checkpoint after the step in flight (at once when paused).</summary>
    public sealed record CheckpointNow(string Run) : IActorTrainMessage;
}

public static class TrainingRunEvents
{
    public sealed record Started(TrainingSpec Spec, DateTimeOffset At) : IActorTrainMessage;

    /// <summary>Step <paramref name="Step"/> is done: every replica of the round reduced the gradients of
    /// samples [<paramref name="ConsumedFrom"/>, <paramref name="ConsumedTo"/>) of the run's order; <paramref name="Seconds"/>
    /// from sending the step to the last replica's reduced gradients (throughput = tokens / seconds);
    /// <paramref name="ParameterDigests"/>: each rank's digest of the parameters it computed the step on, in the order of
    /// <paramref name="Ranks"/> (empty in journals older than the field) — the proof that replicas stayed identical.</summary>
    public sealed record StepCommitted(long Step, long ConsumedFrom, long ConsumedTo, ImmutableArray<int> Ranks, long Round, double Loss, double Seconds = 0,
        ImmutableArray<string> ParameterDigests = default) : IActorTrainMessage;

    /// <summary>A checkpoint of the state after <paramref name="Step"/> steps is complete on disk; <paramref name="Sha256"/> is its metadata.json's.</summary>
    public sealed record CheckpointRecorded(long Step, string Path, string Sha256) : IActorTrainMessage;

    public sealed record Completed(DateTimeOffset At) : IActorTrainMessage;

    public sealed record Paused(DateTimeOffset At) : IActorTrainMessage;

    public sealed record Resumed(DateTimeOffset At) : IActorTrainMessage;

    public sealed record Stopped(DateTimeOffset At) : IActorTrainMessage;
}

/// <summary>A checkpoint as the journal records it.</summary>
public sealed record RecordedCheckpoint(long Step, string Path, string Sha256);

public enum TrainingRunStatus
{
    New,
    Running,
    Paused,
    Stopped,
    Completed,
}

/// <summary>A committed step as the journal holds it.</summary>
public sealed record CommittedStep(long Step, long ConsumedFrom, long ConsumedTo, ImmutableArray<int> Ranks, long Round, double Loss, double Seconds,
    ImmutableArray<string> ParameterDigests);

/// <summary>The training run's persisted state: its spec and every committed step. Changed only by <see cref="Apply"/>.</summary>
public sealed record TrainingRunState(TrainingRunStatus Status, TrainingSpec? Spec, ImmutableList<CommittedStep> Steps, ImmutableList<RecordedCheckpoint> Checkpoints) : IActorTrainMessage
{
    public static readonly TrainingRunState Initial = new(TrainingRunStatus.New, null, [], []);

    public long NextStep => Steps.Count;

    public long ConsumedSamples => Steps.Count == 0 ? 0 : Steps[^1].ConsumedTo;

    /// <exception cref="InvalidOperationException">The event does not fit the state.</exception>
    public TrainingRunState Apply(IActorTrainMessage @event) => @event switch
    {
        TrainingRunEvents.Started started when Status == TrainingRunStatus.New => this with { Status = TrainingRunStatus.Running, Spec = started.Spec },
        // A step in flight when the run is paused or stopped still commits.
        TrainingRunEvents.StepCommitted step when Status is TrainingRunStatus.Running or TrainingRunStatus.Paused or TrainingRunStatus.Stopped
                                                  && step.Step == NextStep && step.ConsumedFrom == ConsumedSamples =>
            this with { Steps = Steps.Add(new CommittedStep(step.Step, step.ConsumedFrom, step.ConsumedTo, step.Ranks, step.Round, step.Loss, step.Seconds,
                step.ParameterDigests.IsDefault ? [] : step.ParameterDigests)) },
        TrainingRunEvents.CheckpointRecorded checkpoint when checkpoint.Step <= NextStep =>
            this with { Checkpoints = Checkpoints.Add(new RecordedCheckpoint(checkpoint.Step, checkpoint.Path, checkpoint.Sha256)) },
        TrainingRunEvents.Paused when Status == TrainingRunStatus.Running => this with { Status = TrainingRunStatus.Paused },
        TrainingRunEvents.Resumed when Status is TrainingRunStatus.Paused or TrainingRunStatus.Stopped => this with { Status = TrainingRunStatus.Running },
        TrainingRunEvents.Stopped when Status is TrainingRunStatus.Running or TrainingRunStatus.Paused => this with { Status = TrainingRunStatus.Stopped },
        TrainingRunEvents.Completed when Status == TrainingRunStatus.Running && NextStep >= Spec!.Steps => this with { Status = TrainingRunStatus.Completed },
        _ => throw new InvalidOperationException($"{@event.GetType().Name} does not apply to a training run in status {Status} at step {NextStep}"),
    };
}
