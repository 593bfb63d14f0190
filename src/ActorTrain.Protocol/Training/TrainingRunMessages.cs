using System.Collections.Immutable;

namespace ActorTrain.Protocol.Training;

public static class TrainingRunCommands
{
    /// <summary>Start the run (or, for a run that exists, carry on). Answered with its <see cref="TrainingRunState"/>.</summary>
    public sealed record Start(string Run, TrainingSpec Spec) : IActorTrainMessage;

    /// <summary>Answered with the run's <see cref="TrainingRunState"/> holding its committed steps from <paramref name="FromStep"/>
    /// on (<see cref="TrainingRunState.From"/>: never more than the newest <see cref="TrainingRunState.MaxStepsPerAnswer"/>).</summary>
    public sealed record GetStatus(string Run, long FromStep = 0) : IActorTrainMessage
    {
        /// <summary>Only the newest step: what a progress line, a summary or a poll needs.</summary>
        public const long NewestOnly = long.MaxValue;
    }

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
    /// <summary><paramref name="SampleDigests"/>: per replica, in the order of <paramref name="Ranks"/> (its position in the
    /// round), the digest of the samples it trained on (none in journals from before they were kept).</summary>
    public sealed record StepCommitted(long Step, long ConsumedFrom, long ConsumedTo, ImmutableArray<int> Ranks, long Round, double Loss, double Seconds = 0,
        ImmutableArray<string> ParameterDigests = default, ImmutableArray<string> SampleDigests = default) : IActorTrainMessage
    {
        // Empty, never default: JSON cannot write a default array (a step built without digests must still journal).
        public ImmutableArray<string> SampleDigests { get; init; } = SampleDigests.IsDefault ? [] : SampleDigests;
    }

    /// <summary>A resume replayed the journal's steps into other parameters than the journal records before step
    /// <paramref name="Step"/> (digests <paramref name="Replayed"/> and <paramref name="Journaled"/>): something the steps
    /// depend on changed under the run (its dataset, the code). It trains on, having no better state, but from that step on
    /// it is not the run its journal describes. Journaled for the first such step only.</summary>
    public sealed record ReplayDiverged(long Step, string Replayed, string Journaled) : IActorTrainMessage;

    /// <summary>A checkpoint of the state after <paramref name="Step"/> steps is complete on disk; <paramref name="Sha256"/> is its metadata.json's.</summary>
    public sealed record CheckpointRecorded(long Step, string Path, string Sha256) : IActorTrainMessage;

    public sealed record Completed(DateTimeOffset At) : IActorTrainMessage;

    public sealed record Paused(DateTimeOffset At) : IActorTrainMessage;

    public sealed record Resumed(DateTimeOffset At) : IActorTrainMessage;

    public sealed record Stopped(DateTimeOffset At) : IActorTrainMessage;
}

/// <summary>A checkpoint as the journal records it.</summary>
public sealed record RecordedCheckpoint(long Step, string Path, string Sha256);

/// <summary>The first step a resume replayed into other parameters than the journal's (see <see cref="TrainingRunEvents.ReplayDiverged"/>).</summary>
public sealed record ReplayDivergence(long Step, string Replayed, string Journaled);

public enum TrainingRunStatus
{
    New,
    Running,
    Paused,
    Stopped,
    Completed,
}

/// <summary>A committed step as the journal holds it; <paramref name="SampleDigests"/> empty for steps journaled before they were kept.</summary>
public sealed record CommittedStep(long Step, long ConsumedFrom, long ConsumedTo, ImmutableArray<int> Ranks, long Round, double Loss, double Seconds,
    ImmutableArray<string> ParameterDigests, ImmutableArray<string> SampleDigests = default)
{
    // Empty, never default: JSON cannot write a default array.
    public ImmutableArray<string> SampleDigests { get; init; } = SampleDigests.IsDefault ? [] : SampleDigests;
}

/// <summary>The training run's persisted state: its spec and every committed step. Changed only by <see cref="Apply"/>.
/// An answer may carry only the newer steps (<see cref="From"/>): <paramref name="StepsBefore"/> are left out before
/// <paramref name="Steps"/>, which then start at step <paramref name="StepsBefore"/>. <paramref name="Problem"/> is the one
/// thing not from the journal: why no round of replicas can form, while every replica that answers says it cannot prepare
/// (a dataset missing on its node, a checkpoint that does not fit); the run keeps asking and goes on once the cause is mended.
/// <paramref name="Diverged"/>: the first step a resume could not reproduce, if one could not.</summary>
public sealed record TrainingRunState(TrainingRunStatus Status, TrainingSpec? Spec, ImmutableList<CommittedStep> Steps, ImmutableList<RecordedCheckpoint> Checkpoints,
    long StepsBefore = 0, string? Problem = null, ReplayDivergence? Diverged = null) : IActorTrainMessage
{
    /// <summary>The most committed steps one answer carries. Every step costs ~110 bytes of JSON plus ~40 per replica's
    /// parameter digest: 10 000 steps of eight replicas are ~5 MB, well under remoting's 16 MiB frame, which a long run's
    /// whole history (~80 000 steps of two replicas) would exceed, leaving its status questions unanswered.</summary>
    public const int MaxStepsPerAnswer = 10_000;

    public static readonly TrainingRunState Initial = new(TrainingRunStatus.New, null, [], []);

    public long NextStep => StepsBefore + Steps.Count;

    public long ConsumedSamples => Steps.Count == 0 ? 0 : Steps[^1].ConsumedTo;

    /// <summary>This state as an answer carries it: the steps from <paramref name="fromStep"/> on, but no more than the newest
    /// <see cref="MaxStepsPerAnswer"/>, and the newest step always (the samples consumed and the last loss come from it).</summary>
    public TrainingRunState From(long fromStep)
    {
        long first = Math.Clamp(fromStep, Math.Max(StepsBefore, NextStep - MaxStepsPerAnswer), Math.Max(StepsBefore, NextStep - 1));
        int skipped = (int)(first - StepsBefore);
        return skipped == 0 ? this : this with { Steps = Steps.GetRange(skipped, Steps.Count - skipped), StepsBefore = first };
    }

    /// <exception cref="InvalidOperationException">The event does not fit the state.</exception>
    public TrainingRunState Apply(IActorTrainMessage @event) => @event switch
    {
        TrainingRunEvents.Started started when Status == TrainingRunStatus.New => this with { Status = TrainingRunStatus.Running, Spec = started.Spec },
        // A step in flight when the run is paused or stopped still commits.
        TrainingRunEvents.StepCommitted step when Status is TrainingRunStatus.Running or TrainingRunStatus.Paused or TrainingRunStatus.Stopped
                                                  && step.Step == NextStep && step.ConsumedFrom == ConsumedSamples =>
            this with { Steps = Steps.Add(new CommittedStep(step.Step, step.ConsumedFrom, step.ConsumedTo, step.Ranks, step.Round, step.Loss, step.Seconds,
                step.ParameterDigests.IsDefault ? [] : step.ParameterDigests, step.SampleDigests)) },
        TrainingRunEvents.CheckpointRecorded checkpoint when checkpoint.Step <= NextStep =>
            this with { Checkpoints = Checkpoints.Add(new RecordedCheckpoint(checkpoint.Step, checkpoint.Path, checkpoint.Sha256)) },
        TrainingRunEvents.ReplayDiverged diverged when diverged.Step < NextStep =>
            this with { Diverged = Diverged ?? new ReplayDivergence(diverged.Step, diverged.Replayed, diverged.Journaled) },
        TrainingRunEvents.Paused when Status == TrainingRunStatus.Running => this with { Status = TrainingRunStatus.Paused },
        TrainingRunEvents.Resumed when Status is TrainingRunStatus.Paused or TrainingRunStatus.Stopped => this with { Status = TrainingRunStatus.Running },
        TrainingRunEvents.Stopped when Status is TrainingRunStatus.Running or TrainingRunStatus.Paused => this with { Status = TrainingRunStatus.Stopped },
        TrainingRunEvents.Completed when Status == TrainingRunStatus.Running && NextStep >= Spec!.Steps => this with { Status = TrainingRunStatus.Completed },
        _ => throw new InvalidOperationException($"{@event.GetType().Name} does not apply to a training run in status {Status} at step {NextStep}"),
    };
}
