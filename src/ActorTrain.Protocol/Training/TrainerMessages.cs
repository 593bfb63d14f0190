using System.Collections.Immutable;

namespace ActorTrain.Protocol.Training;

/// <summary>Replica <paramref name="Rank"/> of run <paramref name="Run"/>; entity id "{run}/rank-{r}".</summary>
public sealed record TrainerId(string Run, int Rank)
{
    public string EntityId => $"{Run}/rank-{Rank}";

    /// <exception cref="FormatException">Not "{run}/rank-{r}".</exception>
    public static TrainerId Parse(string entityId)
    {
        int at = entityId.LastIndexOf("/rank-", StringComparison.Ordinal);
        if (at <= 0 || !int.TryParse(entityId[(at + 6)..], out int rank) || rank < 0)
            throw new FormatException($"'{entityId}' is not a trainer id (expected RUN/rank-N)");
        return new TrainerId(entityId[..at], rank);
    }
}

public static class TrainerCommands
{
    /// <summary>Load the dataset and build the model (idempotent) — from <paramref name="Checkpoint"/> when the
    /// replica is new and the run has one; answered with <see cref="TrainerReplies.Ready"/>, which says the
    /// replica's step and where its data plane listens.</summary>
    public sealed record Prepare(TrainerId Trainer, TrainingSpec Spec, string? Checkpoint) : IActorTrainMessage;

    /// <summary>Redo committed step <paramref name="Step"/> (samples from <paramref name="ConsumedSamples"/>) and apply it
    /// at once: how replicas restored from a checkpoint catch up with the journal. Answered like <see cref="ComputeStep"/>.</summary>
    public sealed record ReplayStep(TrainerId Trainer, long Step, long ConsumedSamples, long Round, int Position, ImmutableArray<string> Ring,
        ImmutableArray<string>? Nodes = null) : IActorTrainMessage;

    /// <summary>Write a checkpoint of the replica's state after <paramref name="Step"/> steps; answered with <see cref="TrainerReplies.CheckpointWritten"/>.</summary>
    public sealed record WriteCheckpoint(TrainerId Trainer, long Step, long ConsumedSamples) : IActorTrainMessage;

    /// <summary>Compute the gradients of this replica's slice of step <paramref name="Step"/> (the global batch that
    /// starts at <paramref name="ConsumedSamples"/>), all-reduce them around the ring of <paramref name="Round"/>
    /// (<paramref name="Ring"/>: every member's data plane endpoint, by position), and hold the result.
    /// <paramref name="Nodes"/>: every member's cluster node address, by position: the replica gives up the step
    /// when the cluster downs one of them (a hung peer keeps its sockets open, so the ring alone would wait out
    /// step-timeout). Answered with <see cref="TrainerReplies.Reduced"/> or <see cref="TrainerReplies.Failed"/>.</summary>
    public sealed record ComputeStep(TrainerId Trainer, long Step, long ConsumedSamples, long Round, int Position, ImmutableArray<string> Ring,
        ImmutableArray<string>? Nodes = null) : IActorTrainMessage;

    /// <summary>Apply (or, <paramref name="Commit"/> false, drop) the reduced gradients of step <paramref name="Step"/>.</summary>
    public sealed record FinishStep(TrainerId Trainer, long Step, bool Commit) : IActorTrainMessage;

    /// <summary>Join the ring of <paramref name="Round"/> and take the parameters and optimizer state of the
    /// member at <paramref name="SourcePosition"/> (which is at <paramref name="Step"/>): how a replica that
    /// joins or comes back catches up without a checkpoint. Answered with <see cref="TrainerReplies.Synchronized"/>
    /// or <see cref="TrainerReplies.Failed"/>. <paramref name="Nodes"/>: as for <see cref="ComputeStep"/>.</summary>
    public sealed record Synchronize(TrainerId Trainer, long Step, long Round, int Position, ImmutableArray<string> Ring, int SourcePosition,
        ImmutableArray<string>? Nodes = null) : IActorTrainMessage;

    /// <summary>The run is over (completed, or stopped with its checkpoint written): stop, freeing the device.</summary>
    public sealed record Release(TrainerId Trainer) : IActorTrainMessage;

    /// <summary>A digest of the replica's parameters, to check that replicas agree.</summary>
    public sealed record GetParameterDigest(TrainerId Trainer) : IActorTrainMessage;
}

public static class TrainerReplies
{
    /// <summary>
    /// <paramref name="Device"/>: the device the replica holds on its node ("cpu:0", "cuda:1").
    /// <paramref name="Continuing"/>: the replica already held the run's state before this Prepare (the run moved to
    /// another node, or re-forms), rather than loading it now from a checkpoint.
    /// <paramref name="Node"/>: the cluster address of the replica's node.
    /// </summary>
    public sealed record Ready(int Rank, string DataPlane, long Step, string Device, bool Continuing = false, string? Node = null) : IActorTrainMessage;

    /// <summary><paramref name="ParameterDigest"/>: digest of the parameters the step was computed on;
    /// <paramref name="ComputeSeconds"/> and <paramref name="ReduceSeconds"/>: this replica's gradients and its all-reduce.</summary>
    /// <summary><paramref name="SamplesDigest"/>: <see cref="ActorTrain.Data.Sampling.SampleDigest"/> of the samples this replica trained on.</summary>
    public sealed record Reduced(int Rank, long Step, double LossSum, long Labels, string ParameterDigest, double ComputeSeconds = 0, double ReduceSeconds = 0,
        string? SamplesDigest = null) : IActorTrainMessage;

    public sealed record Failed(int Rank, long Step, string Reason) : IActorTrainMessage;

    public sealed record Finished(int Rank, long Step) : IActorTrainMessage;

    public sealed record Synchronized(int Rank, long Step) : IActorTrainMessage;

    public sealed record CheckpointWritten(int Rank, long Step, string Path, string Sha256) : IActorTrainMessage;

    /// <summary><paramref name="Digest"/>: XxHash128 of every parameter's bytes, in order.</summary>
    public sealed record ParameterDigest(int Rank, long Step, string Digest) : IActorTrainMessage;
}
