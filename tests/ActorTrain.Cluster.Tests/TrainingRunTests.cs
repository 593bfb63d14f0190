using ActorTrain.Cluster.Persistence;
using ActorTrain.Cluster.Training;
using ActorTrain.Data.Sampling;
using ActorTrain.Data.Tokens;
using ActorTrain.Protocol.Training;
using ActorTrain.Testing;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class TrainingRunTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly TemporaryDirectory root = new("actortrain-training-");

    public void Dispose() => root.Dispose();

    private string Dataset() => CountingDataset.Write(root.Combine("dataset"));

    // Three CPU slots by default: one per replica of the largest run here.
    private async Task<(SingleNodeCluster Node, TrainingRegions Regions)> Start(string name, int slots = 3, Func<TrainingSettings, TrainingSettings>? tune = null,
        string hocon = "")
    {
        string devices = string.Join(", ", Enumerable.Range(0, slots).Select(i => $"\"device:cpu:{i}\""));
        var config = ConfigurationFactory.ParseString($"""
            akka.loglevel = WARNING
            akka.cluster.roles = [data, coordinator, trainer, {devices}]
            {hocon}
            """);
        var node = await SingleNodeCluster.StartAsync(name, new SqliteJournal(root.Combine($"{name}.db")), config, Patience);
        var settings = TrainingSettings.From(node.Config) with { StepTimeout = TimeSpan.FromSeconds(10) };
        return (node, TrainingRegions.Start(node.System, tune is null ? settings : tune(settings)));
    }

    [Fact]
    public async Task Replicas_train_in_lockstep_and_a_killed_replica_costs_no_sample_and_comes_back_with_a_peers_state()
    {
        // Steps enough for the killed rank to be back before the last one: with 30, a loaded 2-core CI run once finished
        // the run on ranks [0, 1] while rank 2 was still being restarted.
        const int steps = 80;
        var spec = new TrainingSpec(Dataset(), root.Combine("lockstep"), "tiny", "causal", Steps: steps, GlobalBatch: 6, MicroBatch: 3, LearningRate: 3e-3, Seed: 5, Replicas: 3, CheckpointEvery: 100, RandomStreams.ForNewRuns);
        var (node, regions) = await Start("training");
        await using var _ = node;
        await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("lockstep", spec), Patience);
        await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("lockstep"), Patience), s => s.NextStep >= 1, Patience, "a first step");
        // One shard per replica: identify shards, then their entities, until all three have answered.
        var entities = await Eventually.Until(() => FindTrainers(node.System), found => found.Length == 3, Patience, "three trainer entities");
        await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("lockstep"), Patience), s => s.NextStep >= 4, Patience, "four steps");

        // Kill replica 2 where it lives: the step fails, the run re-forms; sharding starts rank 2 afresh
        // (at step 0), and it takes rank 0's parameters and optimizer state before it trains again.
        entities[2].Tell(Kill.Instance);

        var done = await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("lockstep"), Patience),
            s => s.Status == TrainingRunStatus.Completed, Patience, "the run to complete");
        Assert.Equal(Enumerable.Range(0, steps).Select(i => (long)i), done.Steps.Select(s => s.Step));
        for (int i = 0; i < done.Steps.Count; i++)
        {
            Assert.Equal(i * 6L, done.Steps[i].ConsumedFrom); // contiguous: nothing lost, nothing twice
            Assert.Equal((i + 1) * 6L, done.Steps[i].ConsumedTo);
        }
        Assert.Equal([0, 1, 2], done.Steps[0].Ranks.ToArray());
        Assert.Equal([0, 1, 2], done.Steps[^1].Ranks.ToArray());
        Assert.True(done.Steps.Select(s => s.Round).Distinct().Count() >= 2, "the kill should have made a new round");
        Assert.True(done.Steps[^1].Loss < done.Steps[0].Loss, $"loss {done.Steps[0].Loss} -> {done.Steps[^1].Loss}");
        var records = ActorTrain.Model.MetricsLog.Read(Path.Combine(spec.RunDirectory, "metrics.jsonl")).ToArray();
        Assert.Equal(Enumerable.Range(1, steps).Select(i => (double)i), records.Select(r => r["step"]));
        Assert.All(records, r => Assert.True(r["train/tokens_per_second"] > 0));
        Assert.True(File.Exists(Path.Combine(spec.RunDirectory, "loss.png")), "loss.png is drawn while a cluster run trains");

        // Every replica of every step computed it on the same parameters (the journal holds each one's digest).
        Assert.All(done.Steps, step => Assert.Equal(step.Ranks.Length, step.ParameterDigests.Length));
        Assert.All(done.Steps, step => Assert.Single(step.ParameterDigests.Distinct()));
        // And trained on the samples its position in the round is given, whatever the round: its digest of them against
        // the order rebuilt from the spec.
        var sampler = ReplicaSetup.SamplerFor(spec);
        Assert.All(done.Steps, step => Assert.Equal(
            Enumerable.Range(0, step.Ranks.Length).Select(position => SampleDigest.Of(sampler.VisitsFor(step.ConsumedFrom, position, step.Ranks.Length), sampler.Order)),
            step.SampleDigests));
        Assert.Equal(steps, done.Checkpoints[^1].Step);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_replica_that_breaks_while_applying_a_step_is_dropped_at_once_and_built_again_without_losing_a_sample(int replicas)
    {
        string dataset = Dataset();
        TrainingSpec Spec(string name) => new(dataset, root.Combine(name), "tiny", "causal", Steps: 12, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 3,
            Replicas: replicas, CheckpointEvery: 6, RandomStreams.ForNewRuns);
        int broken = 0;
        // Rank 0 throws once, applying step 5, whose checkpoint is due next (rank 0 writes checkpoints while it is in the round).
        // The step deadline is far beyond the test's patience: a run that waited for the broken replica's answer would not complete.
        var (node, regions) = await Start($"broken{replicas}", tune: settings => settings with
        {
            StepTimeout = TimeSpan.FromMinutes(10),
            BeforeApplying = (trainer, step) =>
            {
                if (trainer.Run == "broken" && trainer.Rank == 0 && step == 5 && Interlocked.Exchange(ref broken, 1) == 0)
                    throw new InvalidOperationException("injected: the update failed");
            },
        });
        await using var _ = node;
        Task<TrainingRunState> Completed(string run) => Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus(run), Patience),
            s => s.Status == TrainingRunStatus.Completed, Patience, $"run {run} to complete");

        await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("broken", Spec("broken")), Patience);
        var done = await Completed("broken");
        Assert.Equal(1, broken);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), done.Steps.Select(s => s.Step));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i * 4L), done.Steps.Select(s => s.ConsumedFrom));
        Assert.Equal([6L, 12L], done.Checkpoints.Select(c => c.Step));
        foreach (var checkpoint in done.Checkpoints) ActorTrain.Model.Checkpoint.Read(checkpoint.Path).Dispose();
        Assert.All(done.Steps, step => Assert.Single(step.ParameterDigests.Distinct()));
        Assert.Equal(Enumerable.Range(0, replicas), done.Steps[^1].Ranks);
        if (replicas == 2)
        {
            // Rank 1 applied step 5 and trained step 6 alone; rank 0, built again, took its state and came back.
            Assert.Equal([1], done.Steps[6].Ranks.ToArray());
        }
        else
        {
            // The only replica, built again from scratch, replayed the journal's steps: the run ends where an unbroken one does.
            await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("unbroken", Spec("unbroken")), Patience);
            Assert.Equal(FinalParameters(await Completed("unbroken")), FinalParameters(done));
        }
    }

    [Fact]
    public async Task A_replica_that_fails_the_same_step_every_time_is_the_runs_problem_until_it_stops_failing()
    {
        var spec = new TrainingSpec(Dataset(), root.Combine("failing"), "tiny", "causal", Steps: 8, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 3,
            Replicas: 1, CheckpointEvery: 8, RandomStreams.ForNewRuns);
        bool mended = false;
        // Applying step 5 always throws, replayed too: every round formed again fails the same way.
        var (node, regions) = await Start("failing", tune: settings => settings with
        {
            BeforeApplying = (trainer, step) =>
            {
                if (trainer.Run == "failing" && step == 5 && !Volatile.Read(ref mended)) throw new InvalidOperationException("injected: the update always fails");
            },
        });
        await using var _ = node;
        Task<TrainingRunState> Status() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("failing"), Patience);

        await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("failing", spec), Patience);
        var stuck = await Eventually.Until(Status, s => s.Problem is not null, Patience, "the run to say that it keeps failing");
        Assert.Equal(TrainingRunStatus.Running, stuck.Status);
        Assert.Equal(6, stuck.NextStep); // step 5 was committed; no replica holds it
        Assert.Contains($"{FailuresInARow.Limit} failures in a row", stuck.Problem);
        Assert.Contains("replaying step 5 failed: rank 0: rank 0's replica failed replaying the step: injected: the update always fails", stuck.Problem);

        // It kept trying: once the update works, the run completes and the problem is gone.
        Volatile.Write(ref mended, true);
        var done = await Eventually.Until(Status, s => s.Status == TrainingRunStatus.Completed, Patience, "the run to complete");
        Assert.Null(done.Problem);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), done.Steps.Select(s => s.Step));
    }

    [Fact]
    public async Task A_run_whose_replicas_cannot_prepare_says_why_and_trains_once_the_cause_is_mended()
    {
        string dataset = root.Combine("arriving");
        var spec = new TrainingSpec(dataset, root.Combine("waiting"), "tiny", "causal", Steps: 4, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 2, Replicas: 2, CheckpointEvery: 4, RandomStreams.ForNewRuns);
        var (node, regions) = await Start("waiting");
        await using var _ = node;
        Task<TrainingRunState> Status() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("waiting"), Patience);

        await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("waiting", spec), Patience);
        var stuck = await Eventually.Until(Status, s => s.Problem is not null, Patience, "the run to say why it cannot train");
        Assert.Equal(TrainingRunStatus.Running, stuck.Status);
        Assert.Equal(0, stuck.NextStep);
        Assert.Contains("rank 0 cannot prepare its replica", stuck.Problem);
        Assert.Contains("rank 1 cannot prepare its replica", stuck.Problem);
        Assert.Contains($"{Path.Combine(dataset, DatasetIndex.FileName)}: no dataset index", stuck.Problem);

        CountingDataset.Write(dataset);
        var done = await Eventually.Until(Status, s => s.Status == TrainingRunStatus.Completed, Patience, "the run to train once its dataset is there");
        Assert.Null(done.Problem);
        Assert.Equal(4, done.NextStep);
        Assert.Equal([0, 1], done.Steps[0].Ranks.ToArray());
    }

    [Fact]
    public async Task A_node_that_shuts_down_while_its_replicas_compute_frees_them_after_the_step_not_under_it()
    {
        // Large batches in small micro-batches: computing the gradients is most of each step, and the dataset is read before
        // each micro-batch, so the stop lands while they compute on the thread pool. Freed under them, the dataset's mapping
        // goes and the test process dies of an access violation (it did, 1 of 1 on the code before).
        // The system stops as a dying node's does: no coordinated shutdown handing shards off between steps.
        string dataset = Dataset();
        var spec = new TrainingSpec(dataset, root.Combine("shutdown"), "tiny", "causal", Steps: 1000, GlobalBatch: 48, MicroBatch: 2, LearningRate: 3e-3, Seed: 4,
            Replicas: 2, CheckpointEvery: 1000, RandomStreams.ForNewRuns);
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var (node, regions) = await Start($"shutdown{attempt}", hocon: "akka.coordinated-shutdown.run-by-actor-system-terminate = off");
            await using (node)
            {
                await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("shutdown", spec), Patience);
                await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("shutdown"), Patience), s => s.NextStep >= 1, Patience, "a first step");
                Assert.NotEmpty(MappedFilesUnder(dataset)); // the replicas map the dataset: its unmapping below means they were freed
                await Task.Delay(TimeSpan.FromMilliseconds(150 * attempt));
                await node.System.Terminate();
            }
        }
        // The steps in flight finish on the thread pool after their actors stopped; then every replica is freed, and
        // with it the dataset's mapping (this process maps the dataset only through the replicas of this test).
        await Eventually.Until(() => Task.FromResult(MappedFilesUnder(dataset)), mapped => mapped.Length == 0, TimeSpan.FromSeconds(60),
            "the stopped nodes' replicas to unmap the dataset", TimeSpan.FromMilliseconds(250));
    }

    private static string MappedFilesUnder(string directory) =>
        string.Join("\n", File.ReadLines("/proc/self/maps").Where(line => line.Contains(directory, StringComparison.Ordinal)));

    [Fact]
    public async Task A_run_whose_whole_cluster_stopped_resumes_from_its_checkpoint_and_journal_bit_identically()
    {
        string dataset = Dataset();
        TrainingSpec Spec(string name) => new(dataset, root.Combine(name), "tiny", "causal", Steps: 24, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 9, Replicas: 2, CheckpointEvery: 4, RandomStreams.ForNewRuns);

        string straight;
        // Past step 6 the first cluster's updates are slowed to half a second each, so that its shutdown cannot
        // finish the run: a run completed before the second cluster starts would pass every check below unresumed.
        var (first, regions) = await Start("first", tune: settings => settings with
        {
            BeforeApplying = (trainer, step) =>
            {
                if (trainer.Run == "stopped" && step > 6) Thread.Sleep(500);
            },
        });
        await using (first)
        {
            await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("straight", Spec("straight")), Patience);
            await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("straight"), Patience), s => s.Status == TrainingRunStatus.Completed, Patience, "the straight run");
            straight = FinalParameters(await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("straight"), Patience));

            await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("stopped", Spec("stopped")), Patience);
            await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("stopped"), Patience), s => s.NextStep >= 6, Patience, "six steps");
        } // the whole cluster stops mid-run: replicas and their state are gone

        var applied = new System.Collections.Concurrent.ConcurrentQueue<long>();
        var (second, resumedRegions) = await Start("first", tune: settings => settings with
        {
            BeforeApplying = (trainer, step) =>
            {
                if (trainer.Run == "stopped") applied.Enqueue(step);
            },
        });
        await using (second)
        {
            var resumed = await resumedRegions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("stopped"), Patience);
            Assert.NotEqual(TrainingRunStatus.Completed, resumed.Status);
            var done = await Eventually.Until(() => resumedRegions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("stopped"), Patience),
                s => s.Status == TrainingRunStatus.Completed, Patience, "the resumed run");
            // The replicas restored a checkpoint (step 4 or later) and replayed the journal from there, not from step 0.
            Assert.NotEmpty(applied);
            Assert.True(applied.Min() >= 4, $"the resumed replicas applied step {applied.Min()} again: they did not start from a checkpoint");
            Assert.Equal(Enumerable.Range(0, 24).Select(i => (long)i), done.Steps.Select(s => s.Step));
            Assert.Equal(Enumerable.Range(0, 24).Select(i => i * 4L), done.Steps.Select(s => s.ConsumedFrom));
            Assert.Contains(done.Checkpoints, c => c.Step == 4);
            Assert.Equal(24, done.Checkpoints[^1].Step);
            foreach (var checkpoint in done.Checkpoints) ActorTrain.Model.Checkpoint.Read(checkpoint.Path).Dispose(); // every recorded one verifies
            Assert.Equal(straight, FinalParameters(done));
        }
    }

    [Fact]
    public async Task A_replica_whose_checkpoints_fail_hands_the_next_one_to_another_and_the_run_completes()
    {
        // Whichever replica is asked first fails every write, as if its node's disk were full: the run's final
        // checkpoint can only come from the other one.
        int full = -1;
        var attempts = new System.Collections.Concurrent.ConcurrentQueue<(int Rank, long Step)>();
        var (node, regions) = await Start("full-disk", tune: settings => settings with
        {
            BeforeCheckpoint = (trainer, step) =>
            {
                attempts.Enqueue((trainer.Rank, step));
                Interlocked.CompareExchange(ref full, trainer.Rank, -1);
                if (trainer.Rank == full) throw new IOException($"No space left on device (rank {trainer.Rank}'s node)");
            },
        });
        await using (node)
        {
            var spec = new TrainingSpec(Dataset(), root.Combine("full-disk"), "tiny", "causal", Steps: 8, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 3,
                Replicas: 2, CheckpointEvery: 4, RandomStreams.ForNewRuns);
            await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("full-disk", spec), Patience);
            var done = await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("full-disk"), Patience),
                s => s.Status == TrainingRunStatus.Completed, Patience, "the run with one full disk");
            Assert.Equal(8, done.Checkpoints[^1].Step);
            Assert.Null(done.Problem);
            // The full replica was asked first, failed, and the next write went to the other.
            var tries = attempts.ToArray();
            Assert.Contains(tries, t => t.Rank != full && t.Step == 8);
            for (int i = 0; i + 1 < tries.Length; i++)
                if (tries[i].Rank == full) Assert.NotEqual(full, tries[i + 1].Rank);
        }
    }

    [Fact]
    public async Task A_run_stopped_while_its_round_forms_releases_its_replicas_when_the_round_fails()
    {
        var spec = new TrainingSpec(Dataset(), root.Combine("held"), "tiny", "causal", Steps: 20, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 9,
            Replicas: 2, CheckpointEvery: 100, RandomStreams.ForNewRuns);
        var (first, regions) = await Start("first", slots: 2, tune: settings => settings with
        {
            BeforeApplying = (_, step) =>
            {
                if (step > 4) Thread.Sleep(500); // so that the shutdown cannot finish the run
            },
        });
        await using (first)
        {
            await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("held", spec), Patience);
            await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("held"), Patience), s => s.NextStep >= 4, Patience, "four steps");
        }

        // Restarted, the run forms a round that replays its journal; the replay is held until the run is stopped, then fails.
        using var replaying = new ManualResetEventSlim();
        using var stopped = new ManualResetEventSlim();
        var (second, resumedRegions) = await Start("first", slots: 2, tune: settings => settings with
        {
            BeforeApplying = (trainer, step) =>
            {
                if (trainer.Run != "held" || step >= 4) return;
                replaying.Set();
                stopped.Wait(Patience);
                throw new InvalidOperationException("the replay breaks");
            },
        });
        await using (second)
        {
            await resumedRegions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("held"), Patience);
            Assert.True(await Task.Run(() => replaying.Wait(Patience)), "the resumed run never replayed its journal");
            var answer = await resumedRegions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Stop("held"), Patience);
            stopped.Set();
            Assert.Equal(TrainingRunStatus.Stopped, answer.Status);
            // Its replicas hold both CPU slots of the node until released: a run of two replicas trains only once they are.
            var next = spec with { RunDirectory = root.Combine("next"), Steps = 4 };
            await resumedRegions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("next", next), Patience);
            await Eventually.Until(() => resumedRegions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("next"), Patience),
                s => s.Status == TrainingRunStatus.Completed, Patience, "a run on the slots the stopped run held");
            Assert.Equal(TrainingRunStatus.Stopped, (await resumedRegions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("held"), Patience)).Status);
        }
    }

    [Fact]
    public async Task A_replica_whose_run_has_ended_without_it_leaves_and_frees_its_device()
    {
        var (node, regions) = await Start("orphans", slots: 2, tune: settings => settings with { OrphanCheck = TimeSpan.FromSeconds(2) });
        await using (node)
        {
            var spec = new TrainingSpec(Dataset(), root.Combine("ended"), "tiny", "causal", Steps: 2, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 3,
                Replicas: 1, CheckpointEvery: 100, RandomStreams.ForNewRuns);
            await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("ended", spec), Patience);
            await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("ended"), Patience),
                s => s.Status == TrainingRunStatus.Completed, Patience, "the one-replica run");
            // A replica prepared for the run that the run never counted (like one that answered after the run had given up
            // on it): it holds the second CPU slot.
            var orphan = await regions.Trainers.Ask<object>(new TrainerCommands.Prepare(new TrainerId("ended", 1), spec, null), Patience);
            Assert.IsType<TrainerReplies.Ready>(orphan);
            // A run of two replicas trains only once the orphan has asked its run, heard that it completed, and left.
            var next = spec with { RunDirectory = root.Combine("next"), Replicas = 2, Steps = 4 };
            await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("next", next), Patience);
            var done = await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("next"), Patience),
                s => s.Status == TrainingRunStatus.Completed, Patience, "a run on the slot the orphan held");
            Assert.Equal([0, 1], done.Steps[^1].Ranks.ToArray());
        }
    }

    [Fact]
    public async Task A_resume_that_cannot_replay_the_journal_records_where_the_run_left_it_and_trains_on()
    {
        string dataset = Dataset();
        // No checkpoint before the end: the resumed replicas start from step 0 and replay every journaled step.
        var spec = new TrainingSpec(dataset, root.Combine("altered"), "tiny", "causal", Steps: 24, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 9,
            Replicas: 2, CheckpointEvery: 100, RandomStreams.ForNewRuns);
        var (first, regions) = await Start("first", tune: settings => settings with
        {
            BeforeApplying = (_, step) =>
            {
                if (step > 4) Thread.Sleep(500); // so that the shutdown cannot finish the run
            },
        });
        await using (first)
        {
            await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("altered", spec), Patience);
            await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("altered"), Patience), s => s.NextStep >= 4, Patience, "four steps");
        }
        // The dataset changes under the stopped run: same shape, other tokens.
        Directory.Delete(dataset, recursive: true);
        CountingDataset.Write(dataset, seed: 3);

        var (second, resumedRegions) = await Start("first");
        await using (second)
        {
            var done = await Eventually.Until(() => resumedRegions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("altered"), Patience),
                s => s.Status == TrainingRunStatus.Completed, Patience, "the resumed run");
            // Step 0 starts from the seed's parameters wherever it runs; the parameters before step 1 come from the altered data.
            var diverged = Assert.IsType<ReplayDivergence>(done.Diverged);
            Assert.Equal(1, diverged.Step);
            Assert.Equal(done.Steps[1].ParameterDigests[0], diverged.Journaled);
            Assert.NotEqual(diverged.Journaled, diverged.Replayed);
            Assert.Equal(Enumerable.Range(0, 24).Select(i => (long)i), done.Steps.Select(s => s.Step));
        }
        // Journaled: a later incarnation of the run knows it too.
        var (third, thirdRegions) = await Start("first");
        await using (third)
        {
            var known = await thirdRegions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("altered"), Patience);
            Assert.Equal(1, known.Diverged?.Step);
        }
    }

    [Fact]
    public async Task A_run_whose_dataset_was_tokenized_again_by_another_tokenizer_refuses_its_checkpoint_until_mended()
    {
        string dataset = Dataset();
        // Steps enough that the run is still training when its node has stopped: with 12 it sometimes completed while the
        // node left (CI, 2 cores), and the restarted run, complete, had no checkpoint left to refuse.
        var spec = new TrainingSpec(dataset, root.Combine("retokenized"), "tiny", "causal", Steps: 120, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 9, Replicas: 2, CheckpointEvery: 4, RandomStreams.ForNewRuns);
        var (first, regions) = await Start("first");
        await using (first)
        {
            await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("retokenized", spec), Patience);
            await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("retokenized"), Patience),
                s => s.Checkpoints.Count > 0, Patience, "a checkpoint");
        }
        var original = DatasetIndex.Load(dataset);
        (original with { Tokenizer = "another" }).Save(dataset);

        var (second, resumed) = await Start("first");
        await using (second)
        {
            Task<TrainingRunState> Status() => resumed.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("retokenized"), Patience);
            var refused = await Eventually.Until(Status, s => s.Problem is not null, Patience, "the run to refuse its checkpoint");
            Assert.Contains("cannot prepare its replica", refused.Problem);
            Assert.Contains("the run was trained on tokens of synthetic", refused.Problem);

            original.Save(dataset);
            var done = await Eventually.Until(Status, s => s.Status == TrainingRunStatus.Completed, Patience, "the run to complete on its own tokens");
            Assert.Null(done.Problem);
            Assert.Equal(120, done.NextStep);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the node restarted meanwhile: what is owed is read from the journal, not remembered
    public async Task Failed_checkpoints_do_not_stop_training_and_a_run_completes_only_once_its_final_one_is_written(bool restarted)
    {
        // Where the checkpoints go is a file: every write fails (as on a full disk; a file works as root too).
        string runDirectory = root.Combine("unwritable");
        Directory.CreateDirectory(runDirectory);
        string blocker = Path.Combine(runDirectory, "checkpoints");
        File.WriteAllText(blocker, "not a directory");
        var spec = new TrainingSpec(Dataset(), runDirectory, "tiny", "causal", Steps: 6, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 6,
            Replicas: 2, CheckpointEvery: 2, RandomStreams.ForNewRuns);
        Task<TrainingRunState> Status(TrainingRegions regions) => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("unwritable"), Patience);

        var (node, regions) = await Start("unwritable");
        await using (node)
        {
            await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("unwritable", spec), Patience);
            // Every step trained, no checkpoint recorded, and the run says why it does not complete.
            var waiting = await Eventually.Until(() => Status(regions), s => s.Problem is not null && s.Problem.Contains("final checkpoint", StringComparison.Ordinal), Patience,
                "the run to say its final checkpoint failed");
            Assert.Equal(TrainingRunStatus.Running, waiting.Status);
            Assert.Equal(6, waiting.NextStep);
            Assert.Empty(waiting.Checkpoints);
            Assert.Contains("its final checkpoint (step 6) failed", waiting.Problem);
            if (!restarted)
            {
                File.Delete(blocker); // space is freed: the next try writes it, and only then does the run complete
                await AssertCompletesWithItsFinalCheckpoint(regions);
                return;
            }
        }
        // The replicas are gone with the node: the run comes back, replays its journal into new ones, writes the model.
        File.Delete(blocker);
        var (again, resumed) = await Start("unwritable");
        await using (again) await AssertCompletesWithItsFinalCheckpoint(resumed);

        async Task AssertCompletesWithItsFinalCheckpoint(TrainingRegions regions)
        {
            var done = await Eventually.Until(() => Status(regions), s => s.Status == TrainingRunStatus.Completed, Patience, "the run to complete");
            Assert.Null(done.Problem);
            Assert.Equal([6L], done.Checkpoints.Select(c => c.Step));
            ActorTrain.Model.Checkpoint.Read(done.Checkpoints[0].Path).Dispose();
        }
    }

    [Fact]
    public async Task A_run_pauses_checkpoints_on_demand_resumes_and_stops_with_a_checkpoint()
    {
        var spec = new TrainingSpec(Dataset(), root.Combine("controlled"), "tiny", "causal", Steps: 200, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 1, Replicas: 2, CheckpointEvery: 1000, RandomStreams.ForNewRuns);
        var (node, regions) = await Start("controlled");
        await using var _ = node;
        Task<TrainingRunState> Status() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("run"), Patience);
        await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("run", spec), Patience);
        await Eventually.Until(Status, s => s.NextStep >= 2, Patience, "two steps");

        Assert.Equal(TrainingRunStatus.Paused, (await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Pause("run"), Patience)).Status);
        long paused = (await Status()).NextStep;
        await Task.Delay(1500);
        var still = await Status();
        Assert.InRange(still.NextStep, paused, paused + 1); // at most the step in flight commits
        await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.CheckpointNow("run"), Patience);
        var checkpointed = await Eventually.Until(Status, s => s.Checkpoints.Count == 1, Patience, "the checkpoint asked for");
        Assert.Equal(checkpointed.NextStep, checkpointed.Checkpoints[0].Step);

        await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Resume("run"), Patience);
        await Eventually.Until(Status, s => s.NextStep >= checkpointed.NextStep + 3, Patience, "three more steps");
        Assert.Equal(TrainingRunStatus.Stopped, (await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Stop("run"), Patience)).Status);
        var stopped = await Eventually.Until(Status, s => s.Checkpoints.Count == 2, Patience, "the checkpoint of the stop");
        await Task.Delay(1000);
        var final = await Status();
        Assert.Equal(TrainingRunStatus.Stopped, final.Status);
        Assert.Equal(final.NextStep, final.Checkpoints[^1].Step);
        Assert.True(final.NextStep < spec.Steps);
        Assert.Equal(Enumerable.Range(0, (int)final.NextStep).Select(i => i * 4L), final.Steps.Select(s => s.ConsumedFrom));
    }

    [Fact]
    public async Task A_run_answers_pauses_and_resumes_while_its_round_forms()
    {
        // Three replicas on two CPU slots: rank 2 finds no device, its Prepare is never answered, and the
        // first round takes the whole prepare-timeout to form (then trains with the two that answered).
        var spec = new TrainingSpec(Dataset(), root.Combine("forming"), "tiny", "causal", Steps: 200, GlobalBatch: 6, MicroBatch: 3, LearningRate: 3e-3, Seed: 2, Replicas: 3, CheckpointEvery: 1000, RandomStreams.ForNewRuns);
        var prepareTimeout = TimeSpan.FromSeconds(25);
        var (node, regions) = await Start("forming", slots: 2, tune: s => s with { PrepareTimeout = prepareTimeout, AssembleTimeout = TimeSpan.FromSeconds(1) });
        await using var _ = node;
        var quick = TimeSpan.FromSeconds(10);
        Task<TrainingRunState> Ask(object command, TimeSpan patience) => regions.Runs.Ask<TrainingRunState>(command, patience);
        await Ask(new TrainingRunCommands.Start("run", spec), Patience);
        var clock = System.Diagnostics.Stopwatch.StartNew(); // the round forms prepare-timeout after the start at the earliest

        for (int i = 0; i < 3; i++)
        {
            await Task.Delay(500);
            Assert.Equal(0, (await Ask(new TrainingRunCommands.GetStatus("run"), quick)).NextStep);
        }
        Assert.Equal(TrainingRunStatus.Paused, (await Ask(new TrainingRunCommands.Pause("run"), quick)).Status);
        Assert.Equal(TrainingRunStatus.Running, (await Ask(new TrainingRunCommands.Resume("run"), quick)).Status);
        Assert.True(clock.Elapsed < prepareTimeout, $"the questions took {clock.Elapsed.TotalSeconds:0.0}s: they were answered only once the round formed");

        var trained = await Eventually.Until(() => Ask(new TrainingRunCommands.GetStatus("run"), Patience), s => s.NextStep >= 3, Patience, "three steps");
        Assert.All(trained.Steps, step => Assert.Equal([0, 1], step.Ranks.ToArray()));
        Assert.Equal([0L, 6L, 12L], trained.Steps.Take(3).Select(step => step.ConsumedFrom));
    }

    [Fact]
    public async Task A_run_waiting_for_a_device_asks_again_and_again_without_starting_with_fewer_replicas()
    {
        // Two slots: "holder" trains on one, so of "waiting"'s two replicas rank 0 gets the other and rank 1 finds no device:
        // its Prepare goes unanswered, every prepare-timeout. Rank 0, built by the first Prepare, answers the next ones as
        // holding the run's state already; that is not a run that moved, and the run waits on (assemble-timeout) for rank 1.
        var prepareTimeout = TimeSpan.FromSeconds(2);
        var (node, regions) = await Start("waiting", slots: 2, tune: s => s with { PrepareTimeout = prepareTimeout, AssembleTimeout = TimeSpan.FromSeconds(90) });
        await using var _ = node;
        Task<TrainingRunState> Status(string run) => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus(run), Patience);
        var holder = new TrainingSpec(Dataset(), root.Combine("holder"), "tiny", "causal", Steps: 100_000, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 1,
            Replicas: 1, CheckpointEvery: 100_000, RandomStreams.ForNewRuns);
        await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("holder", holder), Patience);
        await Eventually.Until(() => Status("holder"), s => s.NextStep >= 1, Patience, "the holder training");

        var waiting = holder with { RunDirectory = root.Combine("waiting"), Steps = 3, Replicas = 2 };
        await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("waiting", waiting), Patience);
        await Task.Delay(4 * prepareTimeout + TimeSpan.FromSeconds(1)); // three rounds of asking at least
        Assert.Equal(0, (await Status("waiting")).NextStep);

        Assert.Equal(TrainingRunStatus.Stopped, (await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Stop("holder"), Patience)).Status);
        var done = await Eventually.Until(() => Status("waiting"), s => s.Status == TrainingRunStatus.Completed, Patience, "the waiting run, on the freed device");
        Assert.All(done.Steps, step => Assert.Equal([0, 1], step.Ranks.ToArray()));
    }

    [Fact]
    public async Task A_finished_run_leaves_memory_and_is_still_listed_and_answered_from_its_journal()
    {
        var spec = new TrainingSpec(Dataset(), root.Combine("finished"), "tiny", "causal", Steps: 3, GlobalBatch: 4, MicroBatch: 2, LearningRate: 3e-3, Seed: 3, Replicas: 2, CheckpointEvery: 1000, RandomStreams.ForNewRuns);
        var (node, regions) = await Start("finished", tune: s => s with { FinishedLinger = TimeSpan.FromSeconds(1) });
        await using var _ = node;
        await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.Start("done", spec), Patience);
        await Eventually.Until(() => regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("done"), Patience), s => s.Status == TrainingRunStatus.Completed,
            Patience, "the run to complete");

        await Eventually.Until(() => regions.Runs.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Patience),
            region => region.Shards.All(shard => !shard.EntityIds.Contains("done")), TimeSpan.FromSeconds(20), "the finished run to leave memory");
        // Its metric series went with it: a long-lived node keeps none per run it once hosted.
        await Eventually.Until(() => Task.FromResult(ActorTrain.Cluster.Observability.NodeMetrics.TrainingStep.GetAllLabelValues().Any(labels => labels[0] == "done")),
            exported => !exported, TimeSpan.FromSeconds(10), "the run's series to be dropped");
        Assert.DoesNotContain(ActorTrain.Cluster.Observability.NodeMetrics.StepSeconds.GetAllLabelValues(), labels => labels[0] == "done");
        Assert.Contains("done", await JournaledNames.ListAsync(node.System, TrainingRunActor.PersistencePrefix));
        var woken = await regions.Runs.Ask<TrainingRunState>(new TrainingRunCommands.GetStatus("done"), Patience);
        Assert.Equal((TrainingRunStatus.Completed, 3L), (woken.Status, woken.NextStep));
    }

    // The sha256 of the parameters file of the run's last checkpoint.
    private static string FinalParameters(TrainingRunState state) =>
        ActorTrain.Model.Checkpoint.Sha256Of(Path.Combine(state.Checkpoints[^1].Path, "model.safetensors"));

    private static async Task<IActorRef[]> FindTrainers(ActorSystem system)
    {
        var found = new List<(int Rank, IActorRef Actor)>();
        foreach (var shard in await Children(system, "/system/sharding/trainer"))
            foreach (var entity in await Children(system, shard.Path.ToStringWithoutAddress()))
                found.Add((TrainerId.Parse(Uri.UnescapeDataString(entity.Path.Name)).Rank, entity));
        return [.. found.OrderBy(f => f.Rank).Select(f => f.Actor)];
    }

    private static async Task<IActorRef[]> Children(ActorSystem system, string path)
    {
        // Identify through a wildcard answers once per child; gather them all.
        var probe = system.ActorOf(Props.Create(() => new IdentityCollector()));
        system.ActorSelection(path + "/*").Tell(new Identify(path), probe);
        await Task.Delay(500);
        return await probe.Ask<IActorRef[]>("children", TimeSpan.FromSeconds(5));
    }

    private sealed class IdentityCollector : ReceiveActor
    {
        private readonly List<IActorRef> children = [];

        public IdentityCollector()
        {
            Receive<ActorIdentity>(identity =>
            {
                if (identity.Subject is not null) children.Add(identity.Subject);
            });
            Receive<string>(_ => Sender.Tell(children.ToArray()));
        }
    }
}
