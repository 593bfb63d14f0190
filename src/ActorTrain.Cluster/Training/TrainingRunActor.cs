using System.Collections.Immutable;
using ActorTrain.Cluster.Observability;
using ActorTrain.Protocol;
using ActorTrain.Protocol.Training;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorTrain.Cluster.Training;

/// <summary>
/// A training run: keeps its replicas in lockstep and journals every committed step with the sample
/// range it consumed. Each step goes to the live replicas of the current round; when every one of
/// them has reduced its gradients the step is journaled, then applied everywhere. When a replica
/// fails or misses the deadline, the others drop the step, a new round forms with the replicas that
/// answered, and the same step — same global batch, larger slices — is done again: no sample is lost
/// or counted twice. A replica that hangs is waited for only until the cluster downs its node. Every
/// round asks all the run's replicas to prepare; one that comes back (or joins) behind the run's step
/// first takes the parameters and optimizer state of an up-to-date replica over the data plane. Every wait
/// on replicas (a round forming, a step, its apply) comes back as a message, so the run answers questions,
/// pauses and stops throughout.
/// </summary>
public sealed class TrainingRunActor : ReceivePersistentActor, IWithTimers
{
    private readonly string run;
    private readonly IActorRef trainers;
    private readonly TrainingSettings settings;
    private readonly DowningWatch downings = new();
    private ImmutableArray<RoundMember> live = [];
    // Ranks that answered a Prepare (ready or refusing) since the run last released its replicas: each is a trainer alive on
    // a device whether or not a round formed with it (a round that failed, a stop while one formed, a probe not yet joined),
    // so each is released with the live ones.
    private ImmutableSortedSet<int> answered = [];
    private long round;
    private bool checkpointRequested;
    private bool checkpointInFlight;
    // Checkpoints that failed in a row: each next one is written by the next member of the round, so that a replica whose
    // own disk is full or unwritable does not fail every try while another could write it.
    private int failedCheckpoints;
    private Phase phase = Phase.Idle;
    private bool probing;
    private bool rejoined;
    private readonly RoundAssembly assembly;
    private readonly RunMetrics metrics;
    // Why no round can form, when replicas say why (not journaled: it holds while the cause does).
    private string? problem;
    // Why the run, all steps done, does not complete: its final checkpoint failed, and completing would release the
    // replicas, the only holders of the trained model. Tried again until it is written.
    private string? finalCheckpointProblem;
    private static readonly TimeSpan FinalCheckpointRetry = TimeSpan.FromSeconds(10);
    private readonly FailuresInARow failures = new();
    private TrainingRunState state = TrainingRunState.Initial;

    /// <param name="trainers">Takes <see cref="TrainerCommands"/> (the trainer region).</param>
    public TrainingRunActor(string run, IActorRef trainers, TrainingSettings settings)
    {
        this.run = run;
        this.trainers = trainers;
        this.settings = settings;
        assembly = new RoundAssembly(settings.AssembleTimeout, () => DateTime.UtcNow);
        metrics = new RunMetrics(run, Context.GetLogger());
        PersistenceId = PersistencePrefix + run;
        Context.ActorOf(Akka.Actor.Props.Create(() => new DowningWatch.DownedNodes(downings)), "downed-nodes");

        Recover<IActorTrainMessage>(@event => state = state.Apply(@event));
        Recover<RecoveryCompleted>(_ =>
        {
            if (state.Status == TrainingRunStatus.Running) Self.Tell(Form.Instance);
            LingerIfFinished();
        });
        Command<TrainingRunCommands.Start>(start =>
        {
            if (state.Status == TrainingRunStatus.Stopped)
            {
                // A stopped run started again carries on from its journal (and, replicas being gone, its newest checkpoint).
                Change(TrainingRunStatus.Stopped, new TrainingRunEvents.Resumed(DateTimeOffset.UtcNow), then: Form.Instance);
                return;
            }
            if (state.Status != TrainingRunStatus.New)
            {
                Sender.Tell(Answer);
                return;
            }
            var requester = Sender;
            Persist(new TrainingRunEvents.Started(start.Spec, DateTimeOffset.UtcNow), started =>
            {
                state = state.Apply(started);
                requester.Tell(Answer);
                Self.Tell(Form.Instance);
            });
        });
        Command<TrainingRunCommands.GetStatus>(status => Sender.Tell(state.From(status.FromStep) with { Problem = Problem }));
        Command<TrainingRunCommands.Pause>(_ => Change(TrainingRunStatus.Running, new TrainingRunEvents.Paused(DateTimeOffset.UtcNow), then: null));
        Command<TrainingRunCommands.Resume>(_ => Change(TrainingRunStatus.Paused, new TrainingRunEvents.Resumed(DateTimeOffset.UtcNow), then: Form.Instance));
        // Both ask for a checkpoint: the step in flight writes it when it is applied; with none in flight it is written at once.
        Command<TrainingRunCommands.Stop>(_ =>
        {
            if (state.Status is not (TrainingRunStatus.Running or TrainingRunStatus.Paused))
            {
                Sender.Tell(Answer);
                return;
            }
            checkpointRequested = true;
            finalCheckpointProblem = null; // a stopped run is resumed from its journal, whatever its checkpoints
            Self.Tell(WriteCheckpointNow.Instance);
            Change(state.Status, new TrainingRunEvents.Stopped(DateTimeOffset.UtcNow), then: null);
        });
        Command<TrainingRunCommands.CheckpointNow>(_ =>
        {
            checkpointRequested = true;
            Self.Tell(WriteCheckpointNow.Instance);
            Sender.Tell(Answer);
        });
        Command<WriteCheckpointNow>(_ =>
        {
            if (phase != Phase.Idle || checkpointInFlight) return; // the round's or the step's end, or the checkpoint's, asks again
            if (checkpointRequested && live.Length > 0 && state.NextStep > 0 && !CheckpointedAt(state.NextStep)) StartCheckpoint(state.NextStep);
            else if (state.Status == TrainingRunStatus.Stopped) ReleaseReplicas();
        });
        Command<CheckpointFinished>(Recorded);
        Command<ReceiveTimeout>(_ =>
        {
            if (!Finished || phase != Phase.Idle || checkpointInFlight) return; // it fires again after another linger
            Context.GetLogger().Info("run {Run} step {Step}: {Status}; leaving memory (no longer remembered; a question wakes it)", run, state.NextStep,
                state.Status.ToString().ToLowerInvariant());
            Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance));
        });
        // While a round forms or a step is in flight, its end carries the run on (or forms a round again).
        // Only a running run forms rounds: a paused or stopped one whose round failed to form would otherwise go on asking
        // replicas to prepare (waking trainers, taking devices, never leaving memory) every few seconds, for ever.
        Command<Form>(_ =>
        {
            if (phase != Phase.Idle) return;
            if (state.Status == TrainingRunStatus.Running) AskToPrepare();
            // Stopped while a round formed, and the round did not form: its stop checkpoint was put off to the round's
            // end; it is written (or the replicas released) now, instead of the replicas being held for ever.
            else if (state.Status == TrainingRunStatus.Stopped) Self.Tell(WriteCheckpointNow.Instance);
        });
        Command<Prepared>(prepared =>
        {
            answered = answered.Union(prepared.Answered);
            ChooseRound(prepared);
        });
        Command<DivergenceFound>(found =>
        {
            if (state.Diverged is null) Persist(found.Divergence, diverged => state = state.Apply(diverged));
        });
        Command<Formed>(formed =>
        {
            phase = Phase.Idle;
            if (formed.Failure is { } failure)
            {
                CountFailure(state.NextStep, failure);
                Self.Tell(Form.Instance);
                return;
            }
            problem = null;
            live = formed.Members;
            assembly.Formed();
            Context.GetLogger().Info("run {Run} step {Step}: round {Round} with replicas [{Replicas}]", run, state.NextStep, round, formed.Description);
            if (checkpointRequested) Self.Tell(WriteCheckpointNow.Instance); // one due when the round broke: the replicas now hold its step
            Self.Tell(Next.Instance);
        });
        Command<Next>(_ =>
        {
            if (phase == Phase.Idle) DoStep();
        });
        Command<StepReplies>(EndStep);
        Command<StepDropped>(dropped =>
        {
            phase = Phase.Idle;
            Context.GetLogger().Warning("run {Run} step {Step}: failed in round {Round} ({Reason}); re-forming", run, dropped.Step, dropped.Round, dropped.Reason);
            CountFailure(dropped.Step, dropped.Reason);
            Self.Tell(Form.Instance);
        });
        Command<Probed>(probed =>
        {
            probing = false;
            answered = answered.Union(probed.Answered);
            // Answered after the run released its replicas (it completed or stopped while the probe was out): released now,
            // or they would hold their devices for ever.
            if (Finished && live.IsEmpty)
            {
                ReleaseReplicas();
                return;
            }
            if (probed.Ready.Length == 0) return;
            Context.GetLogger().Info("run {Run} step {Step}: replicas [{Ranks}] are back; they join at the next step", run, state.NextStep, string.Join(", ", probed.Ready));
            rejoined = true;
        });
        // Journaled: now every replica of the round applies the reduced gradients; every so many steps the
        // first of them writes a checkpoint in the background, journaled once complete.
        // A replica that did not apply the step (it broke while applying, was rebuilt, or its node was downed meanwhile:
        // not waited for) leaves the round: the checkpoint is taken from one that did, and it comes back through the
        // probe, taking an up-to-date peer's state.
        Command<Apply>(apply =>
        {
            var members = live;
            AnswersOrDowning(members, (m, _) => trainers.Ask<object>(new TrainerCommands.FinishStep(Trainer(m.Rank), apply.Step, Commit: true), settings.StepTimeout))
                .PipeTo(Self, success: replies => new Applied(apply.Step, [.. members.Select((m, i) => (m.Rank, Reply: replies[i]))
                    .Where(answer => answer.Reply is not TrainerReplies.Finished).Select(answer => (answer.Rank, Describe(answer.Reply)))]));
        });
        Command<Applied>(applied =>
        {
            phase = Phase.Idle;
            long done = applied.Step + 1;
            var spec = state.Spec!;
            bool due = done % spec.CheckpointEvery == 0 || done == spec.Steps || checkpointRequested;
            if (applied.NotApplied.Length > 0)
            {
                string replicas = string.Join("; ", applied.NotApplied.Select(n => $"rank {n.Rank} ({n.Reason})"));
                Context.GetLogger().Warning("run {Run} step {Step}: leaving the round without the step applied: {Replicas}", run, applied.Step, replicas);
                live = [.. live.Where(m => !applied.NotApplied.Any(n => n.Rank == m.Rank))];
                CountFailure(applied.Step, $"step {applied.Step} not applied: {replicas}");
                round = DateTimeOffset.UtcNow.UtcTicks; // a new ring of those left: replicas keep a round's ring for its steps
            }
            if (live.IsEmpty)
            {
                // Not one replica holds the step: the round forms again (replicas rebuilt from the checkpoint replay the journal), then the checkpoint is written.
                checkpointRequested |= due;
                Self.Tell(Form.Instance);
                return;
            }
            if (due) RequestCheckpoint(done);
            Self.Tell(Next.Instance);
        });
    }

    private bool CheckpointedAt(long step) => state.Checkpoints.Count > 0 && state.Checkpoints[^1].Step == step;

    // One checkpoint is written at a time: one due while another is still being written waits for the next step boundary.
    private void RequestCheckpoint(long done)
    {
        if (checkpointInFlight) checkpointRequested = true;
        else StartCheckpoint(done);
    }

    // The first replica of the round snapshots its state and writes it in the background; the journal
    // records the checkpoint only once it is complete on disk. A failed one is reported, the previous one kept.
    private void StartCheckpoint(long done)
    {
        checkpointRequested = false;
        checkpointInFlight = true;
        Timers.Cancel("final-checkpoint"); // a retry due later must not re-form the round under this write
        var writer = live[failedCheckpoints % live.Length];
        trainers.Ask<object>(new TrainerCommands.WriteCheckpoint(Trainer(writer.Rank), done, state.ConsumedSamples), settings.CheckpointTimeout)
            .ContinueWith(written => new CheckpointFinished(done, written.IsCompletedSuccessfully ? written.Result : written.Exception?.GetBaseException().Message), TaskScheduler.Default)
            .PipeTo(Self);
    }

    private void Recorded(CheckpointFinished finished)
    {
        checkpointInFlight = false;
        if (finished.Reply is TrainerReplies.CheckpointWritten checkpoint)
        {
            Persist(new TrainingRunEvents.CheckpointRecorded(finished.Step, checkpoint.Path, checkpoint.Sha256), recorded =>
            {
                state = state.Apply(recorded);
                failedCheckpoints = 0;
                finalCheckpointProblem = null;
                AfterCheckpoint();
            });
            return;
        }
        failedCheckpoints++;
        string reason = Describe(finished.Reply);
        Context.GetLogger().Error("run {Run} step {Step}: checkpoint failed ({Reason}); keeping {Checkpoint}", run, finished.Step, reason,
            state.Checkpoints.Count > 0 ? state.Checkpoints[^1].Path : "none");
        if (state.Status != TrainingRunStatus.Stopped && finished.Step >= state.Spec!.Steps)
        {
            // Tried again in a round formed anew: if the writer's node went, its replica is built again (or another
            // writes), where asking the same member would fail for ever. A paused run tries once resumed.
            finalCheckpointProblem = $"its final checkpoint (step {finished.Step}) failed: {reason}; trying again every {FinalCheckpointRetry.TotalSeconds:0} s " +
                                     "while running (the trained model is only in the replicas until it is written)";
            checkpointRequested = true;
            Timers.StartSingleTimer("final-checkpoint", Form.Instance, FinalCheckpointRetry);
            return;
        }
        AfterCheckpoint();
    }

    // A run that finished its steps waits for its checkpoints before it completes; a stopped one writes the one it was asked for.
    private void AfterCheckpoint()
    {
        if (state.Status == TrainingRunStatus.Running && state.NextStep >= state.Spec!.Steps) Self.Tell(Next.Instance);
        else if (checkpointRequested || state.Status == TrainingRunStatus.Stopped) Self.Tell(WriteCheckpointNow.Instance);
    }

    private bool Finished => state.Status is TrainingRunStatus.Completed or TrainingRunStatus.Stopped;

    // A finished run leaves memory once nobody asked about it for a while; one that runs again stays.
    private void LingerIfFinished() => SetReceiveTimeout(Finished ? settings.FinishedLinger : null);

    // A finished run gives its devices back: every replica stops (a later start of the run prepares them afresh from the checkpoint).
    private void ReleaseReplicas()
    {
        foreach (int rank in answered.Union(live.Select(m => m.Rank))) trainers.Tell(new TrainerCommands.Release(Trainer(rank)));
        live = [];
        answered = [];
        assembly.Released();
    }

    protected override void PostStop() => metrics.Dispose();

    // Journals a change of status if the run is in the status it applies to, answers with the state either way.
    private void Change(TrainingRunStatus from, IActorTrainMessage @event, object? then)
    {
        if (state.Status != from)
        {
            Sender.Tell(Answer);
            return;
        }
        var requester = Sender;
        Persist(@event, changed =>
        {
            state = state.Apply(changed);
            LingerIfFinished();
            requester.Tell(Answer);
            if (then is not null) Self.Tell(then);
        });
    }

    public override string PersistenceId { get; }

    /// <summary>A run's persistence id is this and its name.</summary>
    public const string PersistencePrefix = "training-run-";

    // What a command is answered with: the state, with the newest steps only when the run is long (one remoting frame).
    private TrainingRunState Answer => state.From(0) with { Problem = Problem };

    private string? Problem => problem ?? finalCheckpointProblem ?? failures.Problem;

    private void CountFailure(long step, string reason)
    {
        if (failures.Add(step, reason)) Context.GetLogger().Error("run {Run} step {Step}: {Problem}; trying on", run, step, failures.Problem);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string run, IActorRef trainers, TrainingSettings settings) =>
        Akka.Actor.Props.Create(() => new TrainingRunActor(run, trainers, settings));

    private TrainerId Trainer(int rank) => new(run, rank);

    // Asks every replica to prepare (a new one from the newest recorded checkpoint); their answers come back as Prepared.
    private void AskToPrepare()
    {
        phase = Phase.Forming;
        assembly.Asking();
        var spec = state.Spec!;
        string? checkpoint = state.Checkpoints.Count > 0 ? state.Checkpoints[^1].Path : null;
        Task.WhenAll(Enumerable.Range(0, spec.Replicas)
                .Select(r => Reply(trainers.Ask<object>(new TrainerCommands.Prepare(Trainer(r), spec, checkpoint), settings.PrepareTimeout))))
            .ContinueWith(answers => new Prepared([.. answers.Result.OfType<TrainerReplies.Ready>().OrderBy(r => r.Rank)],
                [.. answers.Result.OfType<TrainerReplies.Failed>().OrderBy(f => f.Rank).Select(f => f.Reason)], AnsweredRanks(answers.Result)), TaskScheduler.Default)
            .PipeTo(Self);
    }

    // The furthest replica not past the journal is the source: the others take its state over the data plane;
    // then, if it is behind the journal (the whole run restarted from a checkpoint), the round replays the
    // committed steps from their journaled sample ranges before it trains new ones. Both in the background:
    // the round is live once Formed comes back.
    private void ChooseRound(Prepared prepared)
    {
        var spec = state.Spec!;
        var ready = prepared.Replicas;
        var source = ready.Where(r => r.Step <= state.NextStep).OrderByDescending(r => r.Step).ThenBy(r => r.Rank).FirstOrDefault();
        if (source is null)
        {
            // Replicas that say why they cannot prepare make the run's problem, until a round forms; silence (a node
            // starting, no device free yet) is only waited out.
            problem = prepared.Refusals.IsEmpty ? null : string.Join("; ", prepared.Refusals);
            if (problem is null) Context.GetLogger().Error("run {Run} step {Step}: no replica answered; trying again", run, state.NextStep);
            else Context.GetLogger().Error("run {Run} step {Step}: no replica can train: {Problem}; trying again", run, state.NextStep, problem);
            phase = Phase.Idle;
            Timers.StartSingleTimer("form", Form.Instance, TimeSpan.FromSeconds(5));
            return;
        }
        if (assembly.WaitForOthers([.. ready.Select(r => (r.Rank, r.Continuing))], spec.Replicas, roundLive: !live.IsEmpty))
        {
            Context.GetLogger().Info("run {Run} step {Step}: {Ready} of {Replicas} replicas ready; waiting for the others", run, state.NextStep, ready.Length, spec.Replicas);
            phase = Phase.Idle;
            Timers.StartSingleTimer("form", Form.Instance, TimeSpan.FromSeconds(1));
            return;
        }
        rejoined = false;
        round = DateTimeOffset.UtcNow.UtcTicks;
        var members = ready.Select(r => new RoundMember(r.Rank, r.DataPlane, r.Node ?? "")).ToImmutableArray();
        string description = string.Join(", ", ready.Select(r => $"{r.Rank} on {r.Device} at {r.DataPlane}"));
        BringUpToDate(members, [.. ready.Select(r => r.Step)], source, round, state.Steps, state.NextStep)
            .ContinueWith(done => new Formed(members, done.IsCompletedSuccessfully ? done.Result : done.Exception?.GetBaseException().Message ?? "bringing the round up to date was cancelled", description),
                TaskScheduler.Default)
            .PipeTo(Self);
    }

    // Off the actor: everything it needs is passed in (the journaled steps are an immutable list).
    // Null when the round is ready; otherwise why not.
    private async Task<string?> BringUpToDate(ImmutableArray<RoundMember> members, long[] steps, TrainerReplies.Ready source, long round,
        ImmutableList<CommittedStep> journal, long nextStep)
    {
        var log = Context.GetLogger();
        var self = Self;
        ImmutableArray<string> ring = [.. members.Select(m => m.DataPlane)], nodes = [.. members.Select(m => m.Node)];
        if (steps.Any(step => step != source.Step))
        {
            int from = members.IndexOf(members.Single(m => m.Rank == source.Rank));
            var synced = await AnswersOrDowning(members, (m, position) => trainers.Ask<object>(
                new TrainerCommands.Synchronize(Trainer(m.Rank), source.Step, round, position, ring, from, nodes), settings.StepTimeout));
            if (synced.Any(reply => reply is not TrainerReplies.Synchronized))
            {
                string why = Failures(members, synced, reply => reply is TrainerReplies.Synchronized);
                log.Warning("run {Run} step {Step}: synchronizing replicas failed ({Reason}); forming again", run, source.Step, why);
                return $"synchronizing replicas failed: {why}";
            }
            log.Info("run {Run} step {Step}: replicas [{Ranks}] took rank {Source}'s state", run, source.Step,
                string.Join(", ", members.Where((_, i) => steps[i] != source.Step).Select(m => m.Rank)), source.Rank);
        }
        // Replayed at the world size it was journaled with, a step is recomputed bit for bit (the same slices, the same
        // sums in the same order), so the parameters before it match the journal's digest; once one step is replayed at
        // another size, later ones may differ by rounding, and are not compared.
        bool comparable = true;
        for (long step = source.Step; step < nextStep; step++)
        {
            var replayed = await AnswersOrDowning(members, (m, position) => trainers.Ask<object>(
                new TrainerCommands.ReplayStep(Trainer(m.Rank), step, journal[(int)step].ConsumedFrom, round, position, ring, nodes), settings.StepTimeout));
            if (replayed.Any(reply => reply is not TrainerReplies.Reduced))
            {
                string why = Failures(members, replayed, reply => reply is TrainerReplies.Reduced);
                log.Warning("run {Run} step {Step}: replaying the step failed ({Reason}); forming again", run, step, why);
                return $"replaying step {step} failed: {why}";
            }
            var journaled = journal[(int)step];
            comparable &= journaled.Ranks.Length == members.Length;
            string digest = ((TrainerReplies.Reduced)replayed[0]!).ParameterDigest;
            if (comparable && journaled.ParameterDigests.Length > 0 && digest != journaled.ParameterDigests[0])
            {
                // Said, not refused: the run can go on (it has no better state), but it is no longer the journaled one.
                log.Error("run {Run} step {Step}: the replay diverged from the journal: parameters {Replayed} before the step, the journal has {Journaled}",
                    run, step, digest, journaled.ParameterDigests[0]);
                self.Tell(new DivergenceFound(new TrainingRunEvents.ReplayDiverged(step, digest, journaled.ParameterDigests[0])));
                comparable = false;
            }
        }
        return null;
    }

    // Sends the next step to the round's replicas; their replies come back as StepReplies. Meanwhile the run
    // answers status questions, and a pause or stop takes effect once the step in flight is applied.
    private void DoStep()
    {
        var spec = state.Spec!;
        if (state.Status != TrainingRunStatus.Running)
        {
            // Paused or stopped while the last step was in flight: the checkpoint asked for then is written now (and a stopped run's replicas released).
            Self.Tell(WriteCheckpointNow.Instance);
            return;
        }
        if (state.NextStep >= spec.Steps)
        {
            if (checkpointInFlight) return; // it sends Next when it is recorded
            // Decided by the journal, not by what this incarnation asked for: a run restarted, resumed or stopped and
            // started again after its final checkpoint failed must write it before completing releases the replicas.
            if (!CheckpointedAt(state.NextStep))
            {
                if (live.Length > 0) StartCheckpoint(state.NextStep);
                else Self.Tell(Form.Instance); // no round to write it: one is formed first
                return;
            }
            Persist(new TrainingRunEvents.Completed(DateTimeOffset.UtcNow), completed =>
            {
                state = state.Apply(completed);
                finalCheckpointProblem = null;
                failures.Committed(); // rounds re-formed for the final checkpoint's retries may have counted: none is owed now
                LingerIfFinished();
                ReleaseReplicas();
            });
            return;
        }
        if (rejoined)
        {
            Self.Tell(Form.Instance);
            return;
        }
        if (live.Length < spec.Replicas) ProbeMissingReplicas();
        long step = state.NextStep, consumed = state.ConsumedSamples, stepRound = round;
        phase = Phase.Stepping;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var members = live;
        ImmutableArray<string> ring = [.. members.Select(m => m.DataPlane)], nodes = [.. members.Select(m => m.Node)];
        var log = Context.GetLogger();
        var watch = downings.Begin(nodes, settings.StepTimeout);
        RepliesOfStep([.. members.Select((member, position) => Reply<object>(trainers.Ask<object>(
                new TrainerCommands.ComputeStep(Trainer(member.Rank), step, consumed, stepRound, position, ring, nodes), settings.StepTimeout)))],
                waiting => log.Warning("run {Run} step {Step}: still waiting after {Seconds:0}s for ranks [{Ranks}] of round {Round}",
                    run, step, clock.Elapsed.TotalSeconds, string.Join(", ", waiting.Select(i => members[i].Rank)), stepRound), watch.Ended)
            .ContinueWith(replies =>
            {
                watch.Dispose();
                return new StepReplies(step, consumed, stepRound, members, replies.IsCompletedSuccessfully ? replies.Result : new object?[members.Length], clock, watch.DownedPeer);
            }, TaskScheduler.Default)
            .PipeTo(Self);
    }

    // Every replica reduced: the step is journaled, then applied. Otherwise it is dropped everywhere and a new
    // round forms for the same step.
    private void EndStep(StepReplies done)
    {
        var spec = state.Spec!;
        var reduced = done.Replies.OfType<TrainerReplies.Reduced>().ToArray();
        if (reduced.Length == done.Members.Length)
        {
            double loss = reduced.Sum(r => r.LossSum) / Math.Max(1, reduced.Sum(r => r.Labels));
            ImmutableArray<string> digests = [.. reduced.Select(r => r.ParameterDigest)];
            if (digests.Distinct().Count() > 1)
                Context.GetLogger().Error("run {Run} step {Step}: replicas diverged before the step: {Digests}", run, done.Step,
                    string.Join("; ", reduced.Select(r => $"rank {r.Rank} {r.ParameterDigest}")));
            double stepSeconds = done.Clock.Elapsed.TotalSeconds;
            var committed = new TrainingRunEvents.StepCommitted(done.Step, done.Consumed, done.Consumed + spec.GlobalBatch, [.. done.Members.Select(m => m.Rank)],
                done.Round, loss, stepSeconds, digests, [.. reduced.Select(r => r.SamplesDigest ?? "")]);
            Persist(committed, recorded =>
            {
                state = state.Apply(recorded);
                failures.Committed();
                NodeMetrics.JournalWriteSeconds.WithLabels("training-run").Observe(done.Clock.Elapsed.TotalSeconds - stepSeconds);
                metrics.StepCommitted(state.Spec!.RunDirectory, recorded, reduced.Sum(r => r.Labels), reduced);
                Self.Tell(new Apply(done.Step));
            });
            return;
        }
        NodeMetrics.FailedSteps.WithLabels(run).Inc();
        // Those that answered drop the step, and the round forms again once they have. Those that did not are told without
        // waiting (one may hang until its node is downed): a late one that reduces after all clears the sums when the drop
        // reaches it, which it does before anything of the next round, the run's messages to it keeping their order.
        string reason = string.Join("; ", done.Members.Select((m, i) => $"rank {m.Rank}: {Describe(done.Replies[i])}"))
            + (done.DownedNode is null ? "" : $"; the cluster downed {done.DownedNode}");
        var answered = done.Members.Where((m, i) => done.Replies[i] is not null);
        foreach (var late in done.Members.Where((m, i) => done.Replies[i] is null))
            trainers.Tell(new TrainerCommands.FinishStep(Trainer(late.Rank), done.Step, Commit: false), ActorRefs.NoSender);
        Task.WhenAll(answered.Select(m => Reply(trainers.Ask<object>(new TrainerCommands.FinishStep(Trainer(m.Rank), done.Step, Commit: false), settings.StepTimeout))))
            .ContinueWith(_ => new StepDropped(done.Step, done.Round, reason), TaskScheduler.Default)
            .PipeTo(Self);
    }

    // Every reply of the step; or, once one replica failed (its ring broke: the step cannot complete) or the cluster downed
    // the node of one, those that come within a short grace — a replica whose node died never answers, and waiting out the
    // step deadline for it buys nothing.
    // A step far slower than steps are is reported every so often with the positions it still waits on.
    private static async Task<object?[]> RepliesOfStep(Task<object?>[] asks, Action<int[]> stillWaiting, Task memberDowned)
    {
        var all = Task.WhenAll(asks);
        var failed = new TaskCompletionSource();
        foreach (var ask in asks)
            _ = ask.ContinueWith(t => { if (t.Result is not TrainerReplies.Reduced) failed.TrySetResult(); }, TaskScheduler.Default);
        _ = memberDowned.ContinueWith(_ => failed.TrySetResult(), TaskScheduler.Default);
        // Cancelled when the step is over: a step takes a fraction of a second, and each would otherwise leave its timers behind.
        using var over = new CancellationTokenSource();
        Task first;
        while ((first = await Task.WhenAny(all, failed.Task, Task.Delay(SlowStepReport, over.Token))) != all && first != failed.Task)
            stillWaiting([.. Enumerable.Range(0, asks.Length).Where(i => !asks[i].IsCompleted)]);
        if (first != all) await Task.WhenAny(all, Task.Delay(FailureGrace, over.Token));
        over.Cancel();
        return [.. asks.Select(ask => ask.IsCompletedSuccessfully ? ask.Result : null)];
    }

    private static readonly TimeSpan FailureGrace = TimeSpan.FromSeconds(3), SlowStepReport = TimeSpan.FromSeconds(15);

    // Replicas missing from the round (their node died; no device was free) are asked to prepare in the
    // background, one probe at a time; those that answer join at the next step boundary, after taking a
    // live replica's state over the data plane.
    private void ProbeMissingReplicas()
    {
        if (probing) return;
        probing = true;
        var spec = state.Spec!;
        string? checkpoint = state.Checkpoints.Count > 0 ? state.Checkpoints[^1].Path : null;
        var missing = Enumerable.Range(0, spec.Replicas).Except(live.Select(m => m.Rank)).ToArray();
        Task.WhenAll(missing.Select(r => Reply(trainers.Ask<object>(new TrainerCommands.Prepare(Trainer(r), spec, checkpoint), settings.PrepareTimeout))))
            .ContinueWith(answers => new Probed([.. answers.Result.OfType<TrainerReplies.Ready>().Select(r => r.Rank)], AnsweredRanks(answers.Result)), TaskScheduler.Default)
            .PipeTo(Self);
    }

    private static ImmutableArray<int> AnsweredRanks(IEnumerable<object?> answers) =>
        [.. answers.Select(a => a switch { TrainerReplies.Ready ready => ready.Rank, TrainerReplies.Failed failed => failed.Rank, _ => -1 }).Where(rank => rank >= 0)];

    // Every member's answer (null: none in time); or, once the cluster downs the node of one of them, those in by
    // then: a hung replica never answers, and its node's downing is the news that it never will.
    private async Task<object?[]> AnswersOrDowning(ImmutableArray<RoundMember> members, Func<RoundMember, int, Task<object>> ask)
    {
        var asks = members.Select((m, position) => Reply(ask(m, position))).ToArray();
        using var watch = downings.Begin(members.Select(m => m.Node), settings.StepTimeout);
        await Task.WhenAny(Task.WhenAll(asks), watch.Ended);
        return [.. asks.Select(a => a.IsCompletedSuccessfully ? a.Result : null)];
    }

    // "rank R: why" for each member whose reply is not the one hoped for.
    private static string Failures(ImmutableArray<RoundMember> members, object?[] replies, Func<object?, bool> succeeded) =>
        string.Join("; ", members.Select((m, i) => (m.Rank, Reply: replies[i])).Where(a => !succeeded(a.Reply)).Select(a => $"rank {a.Rank}: {Describe(a.Reply)}"));

    private static string Describe(object? reply) => reply switch
    {
        null => "no answer",
        TrainerReplies.Failed failed => failed.Reason,
        string error => error,
        _ => "reduced",
    };

    // The reply, or null when the replica did not answer in time (or is gone).
    private static async Task<T?> Reply<T>(Task<T> ask) where T : class
    {
        try
        {
            return await ask;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
    }

    private sealed class Form : INoSerializationVerificationNeeded
    {
        public static readonly Form Instance = new();
    }

    // Idle: the run may form a round or start a step; otherwise the end of what is under way carries it on.
    private enum Phase
    {
        Idle,
        Forming,
        Stepping,
    }

    /// <summary><paramref name="Refusals"/>: why the replicas that answered but could not prepare cannot.</summary>
    private sealed record Prepared(ImmutableArray<TrainerReplies.Ready> Replicas, ImmutableArray<string> Refusals, ImmutableArray<int> Answered) : INoSerializationVerificationNeeded;

    // Found while bringing a round up to date (off the actor); journaled by the actor.
    private sealed record DivergenceFound(TrainingRunEvents.ReplayDiverged Divergence) : INoSerializationVerificationNeeded;

    /// <summary><paramref name="Ready"/>: the members took the source's state and replayed the journal; otherwise the round forms again.</summary>
    /// <summary><paramref name="Failure"/>: why the round could not be brought up to date; null when it is ready.</summary>
    private sealed record Formed(ImmutableArray<RoundMember> Members, string? Failure, string Description) : INoSerializationVerificationNeeded;

    private sealed record StepDropped(long Step, long Round, string Reason) : INoSerializationVerificationNeeded;

    private sealed record Apply(long Step) : INoSerializationVerificationNeeded;

    /// <summary><paramref name="NotApplied"/>: the members that did not answer that they applied the step, and why.</summary>
    private sealed record Applied(long Step, ImmutableArray<(int Rank, string Reason)> NotApplied) : INoSerializationVerificationNeeded;

    /// <summary>A replica of the round: its data plane endpoint and the cluster node it lives on (<see cref="DowningWatch.NameOf"/>).</summary>
    private sealed record RoundMember(int Rank, string DataPlane, string Node);

    /// <summary><paramref name="Replies"/>: each member's answer to the step, null where none came in time.</summary>
    private sealed record StepReplies(long Step, long Consumed, long Round, ImmutableArray<RoundMember> Members, object?[] Replies,
        System.Diagnostics.Stopwatch Clock, string? DownedNode) : INoSerializationVerificationNeeded;

    private sealed record Probed(ImmutableArray<int> Ready, ImmutableArray<int> Answered) : INoSerializationVerificationNeeded;

    /// <summary><paramref name="Reply"/>: the replica's answer, or the reason there was none.</summary>
    private sealed record CheckpointFinished(long Step, object? Reply) : INoSerializationVerificationNeeded;

    private sealed class WriteCheckpointNow : INoSerializationVerificationNeeded
    {
        public static readonly WriteCheckpointNow Instance = new();
    }

    private sealed class Next : INoSerializationVerificationNeeded
    {
        public static readonly Next Instance = new();
    }
}
