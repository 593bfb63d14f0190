using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ActorTrain.DataPlane;
using ActorTrain.Data.Sampling;
using ActorTrain.Model;
using ActorTrain.Protocol.Training;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Cluster.Training;

/// <summary>
/// One trainer replica: its model, optimizer and a data plane listener. For each step it computes
/// the gradients of its slice of the global batch, sums them with the other replicas of the round
/// around a TCP ring, and holds the result until the run says to apply it (every replica reduced)
/// or to drop it (the round broke). A replica that fails closes its ring, so the others fail at
/// once instead of waiting out the deadline; one whose peer hangs gives up when the cluster downs
/// that peer's node (<see cref="DowningWatch"/>). Every command is answered: a replica that cannot be
/// built says why, and one that throws while it computes, applies or takes a peer's state is dropped and
/// answered as failed (<see cref="Discard"/>), so the run re-forms at once instead of waiting out step-timeout
/// for an answer that a restarted actor would never give.
/// </summary>
public sealed class TrainerActor : ReceiveActor
{
    private readonly TrainerId id;
    private readonly TimeSpan ringTimeout;
    private readonly Action<TrainerId, long>? beforeApplying;
    private readonly Action<TrainerId, long>? beforeCheckpoint;
    // Checkpoints this replica is writing in the background; while there are any it is busy, not orphaned.
    private int checkpointsWriting;
    private readonly TcpListener listener;
    private readonly string device;
    private readonly string node;
    private readonly DowningWatch peers = new();
    private readonly GradientBuffer gradientBuffer = new();
    private ReplicaSetup? replica;
    private RingAllReduce? ring;
    private long round = -1;
    private long reducedStep = -1;
    // The gradients computing on the thread pool, the one part of the actor's work that runs outside it.
    private Task computing = Task.CompletedTask;

    public TrainerActor(TrainerId id, TrainingSettings settings)
    {
        this.id = id;
        ringTimeout = settings.StepTimeout;
        beforeApplying = settings.BeforeApplying;
        beforeCheckpoint = settings.BeforeCheckpoint;
        listener = new TcpListener(settings.DataPlaneHost, 0);
        listener.Start();
        device = DeviceLeases.For(Context.System).Acquire(id.EntityId);
        node = DowningWatch.NameOf(Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress);
        // A child, so that it hears of downed nodes while this actor is busy with a ring operation.
        Context.ActorOf(Akka.Actor.Props.Create(() => new DowningWatch.DownedNodes(peers)), "downed-nodes");
        Context.SetReceiveTimeout(settings.OrphanCheck);
        Receive<ReceiveTimeout>(_ => AskWhetherWanted());
        Receive<RunSeen>(seen =>
        {
            if (seen.Status is not (TrainingRunStatus.Completed or TrainingRunStatus.Stopped) || Volatile.Read(ref checkpointsWriting) > 0) return;
            Context.GetLogger().Warning("run {Run}: rank {Rank} heard nothing from its run, which is {Status}; leaving, which frees {Device}",
                id.Run, id.Rank, seen.Status.ToString().ToLowerInvariant(), device);
            Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance));
        });
        Receive<TrainerCommands.Prepare>(prepare =>
        {
            bool continuing = replica is not null;
            if (replica is null && !TryBuild(prepare, out string? reason))
            {
                Sender.Tell(new TrainerReplies.Failed(id.Rank, 0, reason));
                return;
            }
            Sender.Tell(new TrainerReplies.Ready(id.Rank, listener.LocalEndpoint!.ToString()!, replica!.Trainer.Optimizer.Steps, device, continuing, node));
        });
        Receive<TrainerCommands.ComputeStep>(compute => RunTask(() => Compute(new StepWork(compute.Step, compute.ConsumedSamples, compute.Round, compute.Position, compute.Ring, compute.Nodes, ApplyAtOnce: false), Sender)));
        Receive<TrainerCommands.ReplayStep>(replay => RunTask(() => Compute(new StepWork(replay.Step, replay.ConsumedSamples, replay.Round, replay.Position, replay.Ring, replay.Nodes, ApplyAtOnce: true), Sender)));
        Receive<TrainerCommands.WriteCheckpoint>(write =>
        {
            if (replica is null || replica.Trainer.Optimizer.Steps != write.Step)
            {
                Sender.Tell(new TrainerReplies.Failed(id.Rank, write.Step, $"replica is at step {replica?.Trainer.Optimizer.Steps}, not {write.Step}"));
                return;
            }
            // The copy is taken now, between steps; the files are written in the background while training goes on.
            var requester = Sender;
            var setup = replica;
            var snapshot = ActorTrain.Model.TrainerSnapshot.Take(replica.Trainer);
            var log = Context.GetLogger();
            Interlocked.Increment(ref checkpointsWriting);
            Task.Run(() =>
            {
                using (snapshot)
                {
                    try
                    {
                        beforeCheckpoint?.Invoke(id, write.Step);
                        var (path, sha256) = setup.WriteCheckpoint(snapshot, write.ConsumedSamples);
                        requester.Tell(new TrainerReplies.CheckpointWritten(id.Rank, write.Step, path, sha256));
                    }
                    // Any failure is answered (a full disk, or a bug): unanswered, the run would only see a timeout.
                    catch (Exception e)
                    {
                        log.Error(e, "run {Run} step {Step}: rank {Rank}'s checkpoint failed", id.Run, write.Step, id.Rank);
                        requester.Tell(new TrainerReplies.Failed(id.Rank, write.Step, $"checkpoint failed: {e.Message}"));
                    }
                    finally
                    {
                        Interlocked.Decrement(ref checkpointsWriting);
                    }
                }
            });
        });
        Receive<TrainerCommands.Synchronize>(synchronize => RunTask(() => Synchronize(synchronize, Sender)));
        Receive<TrainerCommands.FinishStep>(finish => RunTask(() => Finish(finish, Sender)));
        // Passivate, not stop: the shard must not hand the replica messages while it goes. Said, with the stop itself (in
        // PostStop): a new run's replica waits for the device, and when it waits long, the log shows whether this one had gone.
        Receive<TrainerCommands.Release>(_ =>
        {
            Context.GetLogger().Info("run {Run}: rank {Rank} released by its run; leaving, which frees {Device}", id.Run, id.Rank, device);
            Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance));
        });
        Receive<TrainerCommands.GetParameterDigest>(_ => Sender.Tell(new TrainerReplies.ParameterDigest(id.Rank, replica?.Trainer.Optimizer.Steps ?? 0, Digest())));
    }

    // Idle for orphan-check: the run says whether it still wants its replicas. A question that goes unanswered (the run
    // moving between nodes) is asked again after the next idle spell.
    private void AskWhetherWanted()
    {
        if (Volatile.Read(ref checkpointsWriting) > 0) return;
        Akka.Cluster.Sharding.ClusterSharding.Get(Context.System).ShardRegion(TrainingRegions.RunsTypeName)
            .Ask<TrainingRunState>(new TrainingRunCommands.GetStatus(id.Run, TrainingRunCommands.GetStatus.NewestOnly), TimeSpan.FromSeconds(30))
            .PipeTo(Self, success: state => new RunSeen(state.Status), failure: _ => new RunSeen(TrainingRunStatus.Running));
    }

    private sealed record RunSeen(TrainingRunStatus Status) : INoSerializationVerificationNeeded;

    public static Props Props(TrainerId id, TrainingSettings settings) => Akka.Actor.Props.Create(() => new TrainerActor(id, settings));

    protected override void PostStop()
    {
        Context.GetLogger().Info("run {Run}: rank {Rank} stopped; {Device} is free", id.Run, id.Rank, device);
        DeviceLeases.For(Context.System).Release(id.EntityId);
        ring?.DisposeAsync().AsTask().GetAwaiter().GetResult(); // a ring operation in flight fails at once
        listener.Stop();
        // An actor stops (its node shuts down) between the awaits of its work, while a step's gradients may still be
        // computing on the thread pool: the replica, and the dataset it maps, are freed once that is over, not under it
        // (unmapped under a reader, the process dies of an access violation). The rest of the work continues on the
        // actor's mailbox, so nothing of it runs once the actor has stopped.
        computing.ContinueWith(_ => replica?.Dispose(), TaskScheduler.Default);
    }

    // A replica is built from the run's spec (and its checkpoint, when it has one). What stops it — a dataset
    // missing on this node, a preset unknown here, a checkpoint that does not fit the model — is the answer.
    private bool TryBuild(TrainerCommands.Prepare prepare, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        try
        {
            replica = new ReplicaSetup(prepare.Spec);
            if (prepare.Checkpoint is not null) Restore(prepare.Checkpoint);
            reason = null;
            return true;
        }
        catch (Exception e)
        {
            Context.GetLogger().Error(e, "run {Run} step {Step}: rank {Rank} cannot prepare its replica", id.Run, 0, id.Rank);
            replica?.Dispose();
            replica = null;
            reason = $"rank {id.Rank} cannot prepare its replica on {node}: {e.Message}";
            return false;
        }
    }

    // Committed: the reduced gradients are applied; dropped: cleared. A replica asked to commit a step it did not
    // reduce (it was rebuilt meanwhile) says so: the run must not count it among those that applied the step.
    private async Task Finish(TrainerCommands.FinishStep finish, IActorRef requester)
    {
        if (finish.Commit && (replica is null || finish.Step != reducedStep))
        {
            requester.Tell(new TrainerReplies.Failed(id.Rank, finish.Step, replica is null ? "not prepared" : $"step {finish.Step} was not reduced here"));
            return;
        }
        try
        {
            if (replica is not null && finish.Step == reducedStep)
            {
                if (finish.Commit)
                {
                    beforeApplying?.Invoke(id, finish.Step);
                    replica.Trainer.ApplyUpdate();
                }
                else replica.Trainer.Model.zero_grad();
                reducedStep = -1;
            }
            requester.Tell(new TrainerReplies.Finished(id.Rank, finish.Step));
        }
        catch (Exception e)
        {
            await Discard(e, finish.Step, "applying the update", requester);
        }
    }

    // An exception that is not the ring's leaves the replica in a state nobody knows (an update half applied,
    // moments half loaded): it is dropped and the step answered as failed. The run re-forms, this rank is built
    // again at its next Prepare (from the checkpoint) and takes an up-to-date peer's state, or replays the journal.
    private async Task Discard(Exception e, long step, string doing, IActorRef requester)
    {
        Context.GetLogger().Error(e, "run {Run} step {Step}: rank {Rank}'s replica failed {Doing}; dropping it (it is built again when the run re-forms)",
            id.Run, step, id.Rank, doing);
        await LeaveRing();
        replica?.Dispose();
        replica = null;
        reducedStep = -1;
        requester.Tell(new TrainerReplies.Failed(id.Rank, step, $"rank {id.Rank}'s replica failed {doing}: {e.Message}"));
    }

    private sealed record StepWork(long Step, long ConsumedSamples, long Round, int Position, IReadOnlyList<string> Ring, IReadOnlyList<string>? Nodes, bool ApplyAtOnce);

    // The ring operation's token: its deadline, or the downing of another member's node (this node's own
    // downing ends the process; on one node every member shares it).
    private DowningWatch.Operation WatchRing(IReadOnlyList<string>? nodes) => peers.Begin((nodes ?? []).Where(n => n != node), ringTimeout);

    private static string ReasonOf(Exception e, DowningWatch.Operation watch) =>
        watch.DownedPeer is { } downed ? $"the cluster downed the node of a ring peer ({downed})" : e.Message;

    // A replica new to a run that has a checkpoint starts from it. A damaged one is reported and the
    // newest intact checkpoint before it is taken instead (none: step 0); the run then replays the
    // journal's steps from there, or has the replica take a peer's state. An intact one that does not fit
    // (another architecture, other settings, a dataset tokenized again by another tokenizer, whose ids would
    // mean other text) refuses the replica: TryBuild answers why, as the single-process resume refuses the run.
    private void Restore(string checkpoint)
    {
        var log = Context.GetLogger();
        using var loaded = ReadOrPrevious(checkpoint, log);
        if (loaded is null) return;
        CheckpointFit.ThrowIfOtherRun(loaded, replica!.Trainer.Config, replica.Index, replica.Spec.Dataset);
        loaded.Restore(replica.Trainer);
        if (loaded.Directory != checkpoint)
            log.Warning("run {Run} step {Step}: rank {Rank} starts from the previous good checkpoint {Checkpoint}", id.Run, loaded.Metadata.Step, id.Rank, loaded.Directory);
    }

    private LoadedCheckpoint? ReadOrPrevious(string checkpoint, ILoggingAdapter log)
    {
        try
        {
            return ActorTrain.Model.Checkpoint.Read(checkpoint);
        }
        catch (InvalidDataException e)
        {
            log.Error("run {Run} step {Step}: rank {Rank} cannot start from checkpoint {Checkpoint}: {Reason}", id.Run, 0, id.Rank, checkpoint, e.Message);
            string runDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(checkpoint))!)!;
            return ActorTrain.Model.Checkpoint.ReadLatest(runDirectory,
                warning => log.Warning("run {Run} step {Step}: rank {Rank} {Warning}", id.Run, 0, id.Rank, warning), olderThan: checkpoint);
        }
    }

    private async Task Compute(StepWork compute, IActorRef requester)
    {
        var log = Context.GetLogger();
        if (replica is null)
        {
            requester.Tell(new TrainerReplies.Failed(id.Rank, compute.Step, "not prepared"));
            return;
        }
        if (replica.Trainer.Optimizer.Steps != compute.Step)
        {
            requester.Tell(new TrainerReplies.Failed(id.Rank, compute.Step, $"replica is at step {replica.Trainer.Optimizer.Steps}, asked for {compute.Step}"));
            return;
        }
        using var timeout = WatchRing(compute.Nodes);
        try
        {
            var ring = await RingOf(compute.Round, compute.Position, compute.Ring, timeout.Token);
            var setup = replica;
            string digest = Digest();
            int world = compute.Ring.Count;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var work = Task.Run(() =>
            {
                var everything = Enumerable.Range(0, world).SelectMany(r => setup.Sampler.VisitsFor(compute.ConsumedSamples, r, world)).ToArray();
                long divisor = Math.Max(1, setup.Trainer.CountLabels(everything));
                var mine = setup.Sampler.VisitsFor(compute.ConsumedSamples, compute.Position, world);
                var (loss, count) = setup.Trainer.ComputeGradients(mine, divisor);
                return (loss, count, SampleDigest.Of(mine, setup.Sampler.Order));
            });
            computing = work;
            var (lossSum, labels, samplesDigest) = await work;
            double computeSeconds = clock.Elapsed.TotalSeconds;
            await gradientBuffer.AllReduceAsync([.. setup.Trainer.Model.parameters()], ring, timeout.Token);
            double reduceSeconds = clock.Elapsed.TotalSeconds - computeSeconds;
            if (compute.ApplyAtOnce)
            {
                beforeApplying?.Invoke(id, compute.Step);
                setup.Trainer.ApplyUpdate();
            }
            else reducedStep = compute.Step;
            requester.Tell(new TrainerReplies.Reduced(id.Rank, compute.Step, lossSum, labels, digest, computeSeconds, reduceSeconds, samplesDigest));
        }
        catch (Exception e) when (IsRingFailure(e))
        {
            string reason = ReasonOf(e, timeout);
            log.Warning("run {Run} step {Step}: rank {Rank} failed in round {Round}: {Reason}", id.Run, compute.Step, id.Rank, compute.Round, reason);
            replica.Trainer.Model.zero_grad();
            await LeaveRing();
            requester.Tell(new TrainerReplies.Failed(id.Rank, compute.Step, reason));
        }
        catch (Exception e)
        {
            await Discard(e, compute.Step, compute.ApplyAtOnce ? "replaying the step" : "computing the step", requester);
        }
    }

    // The source sends its parameters and moments around the ring; every other member takes them.
    private async Task Synchronize(TrainerCommands.Synchronize synchronize, IActorRef requester)
    {
        if (replica is null)
        {
            requester.Tell(new TrainerReplies.Failed(id.Rank, synchronize.Step, "not prepared"));
            return;
        }
        using var timeout = WatchRing(synchronize.Nodes);
        try
        {
            var ring = await RingOf(synchronize.Round, synchronize.Position, synchronize.Ring, timeout.Token);
            await ReplicaState.BroadcastAsync(replica.Trainer, ring, synchronize.SourcePosition, synchronize.Step, timeout.Token);
            requester.Tell(new TrainerReplies.Synchronized(id.Rank, synchronize.Step));
        }
        catch (Exception e) when (IsRingFailure(e))
        {
            await LeaveRing();
            requester.Tell(new TrainerReplies.Failed(id.Rank, synchronize.Step, ReasonOf(e, timeout)));
        }
        catch (Exception e)
        {
            await Discard(e, synchronize.Step, "taking a peer's state", requester);
        }
    }

    private static bool IsRingFailure(Exception e) => e is IOException or InvalidDataException or SocketException or OperationCanceledException or ObjectDisposedException;

    // The ring of this round, joined once and kept for its steps.
    private async Task<RingAllReduce> RingOf(long wantedRound, int position, IReadOnlyList<string> members, CancellationToken cancellationToken)
    {
        if (wantedRound == round && ring is not null) return ring;
        await LeaveRing();
        ring = await RingAllReduce.JoinAsync(position, [.. members.Select(IPEndPoint.Parse)], listener, wantedRound, cancellationToken);
        round = wantedRound;
        return ring;
    }

    private async Task LeaveRing()
    {
        if (ring is not null) await ring.DisposeAsync();
        ring = null;
        round = -1;
    }

    // Taken every step (the run journals it to prove replicas agree), so a fast non-cryptographic hash:
    // it guards against divergence, not against an adversary.
    private string Digest()
    {
        if (replica is null) return "";
        using var scope = TorchSharp.torch.NewDisposeScope();
        var hash = new System.IO.Hashing.XxHash128();
        foreach (var parameter in replica.Trainer.Model.parameters())
            hash.Append(MemoryMarshal.AsBytes(parameter.detach().contiguous().data<float>().ToArray().AsSpan()));
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }
}
