using System.Text.RegularExpressions;
using ActorTrain.Chaos;
using ActorTrain.Protocol.Training;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>
/// Training on a cluster of real `actortrain node` processes on loopback (local profile), journaling to a
/// private PostgreSQL: the run is started with `actortrain train --cluster`, nodes are SIGKILLed and
/// started again, and the journal must show that no sample was lost or counted twice and that the
/// replicas held identical parameters at every step.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTrainingProcessTests(PostgresFixture postgres)
{
    private const int GlobalBatch = 6;

    [PostgresFact]
    public async Task Two_trainer_nodes_train_in_lockstep_and_every_node_leaves_gracefully_on_SIGTERM()
    {
        await using var cluster = ProcessCluster.Create(await postgres.NewDatabaseAsync());
        var (coordinator, first, second) = await cluster.StartThreeAsync();
        await cluster.StartRunAsync(coordinator, "lockstep", steps: 20);

        var done = await cluster.WaitForAsync(coordinator, "lockstep", s => s.Status == TrainingRunStatus.Completed, "the run to complete");
        AssertContiguousWithIdenticalReplicas(done);
        AssertBothReplicasInEveryStep(done, cluster);
        Assert.True(done.Steps[^1].Loss < done.Steps[0].Loss, $"loss {done.Steps[0].Loss} -> {done.Steps[^1].Loss}");
        Assert.Equal([10L, 20L], done.Checkpoints.Select(c => c.Step));
        foreach (var checkpoint in done.Checkpoints) ActorTrain.Model.Checkpoint.Read(checkpoint.Path).Dispose(); // complete and verified

        // The node hosting the run exports it to Prometheus.
        using var http = new HttpClient();
        string scraped = await http.GetStringAsync(coordinator.MetricsUrl);
        Assert.Contains("actortrain_training_step{run=\"lockstep\"} 20", scraped);
        Assert.Contains("actortrain_training_replicas{run=\"lockstep\"} 2", scraped);
        Assert.Contains("actortrain_training_consumed_samples{run=\"lockstep\"} 120", scraped);
        Assert.Matches("actortrain_training_step_seconds\\{run=\"lockstep\",part=\"compute\"\\} [0-9.e-]+", scraped);
        Assert.Contains("actortrain_journal_write_seconds_count{entity=\"training-run\"}", scraped);
        // Loopback answers by name as well as by address (the listener matches the Host header against its prefixes).
        Assert.Contains("actortrain_training_step{run=\"lockstep\"} 20", await http.GetStringAsync(coordinator.MetricsUrl!.Replace("127.0.0.1", "localhost")));

        foreach (var node in new[] { second, first, coordinator }) Assert.Equal(0, await node.StopAsync(ProcessCluster.Patience));
        Assert.All(new[] { coordinator, first, second }, node => Assert.Contains("node stopped", node.Output));
    }

    [PostgresFact]
    public async Task A_SIGKILLed_trainer_node_shrinks_the_world_and_its_replica_rejoins_with_a_peers_weights_when_it_comes_back()
    {
        await using var cluster = ProcessCluster.Create(await postgres.NewDatabaseAsync());
        var (coordinator, first, second) = await cluster.StartThreeAsync();
        await cluster.StartRunAsync(coordinator, "survivor", steps: 2000, checkpointEvery: 1000);
        await cluster.WaitForAsync(coordinator, "survivor", s => s.NextStep >= 5, "five steps");

        await second.KillAsync();
        var shrunk = await cluster.WaitForAsync(coordinator, "survivor", s => s.Steps.Count > 0 && s.Steps[^1].Ranks.Length == 1, "a step with one replica");
        var restarted = cluster.Start("trainer-2-again", "trainer", coordinator, port: second.Port);
        await restarted.WaitUpAsync(ProcessCluster.Patience);
        long back = shrunk.NextStep;
        await cluster.WaitForAsync(coordinator, "survivor", s => s.Steps.Skip((int)back).Count(step => step.Ranks.Length == 2) >= 3, "three steps with both replicas again");

        await cluster.AskAsync(coordinator, new TrainingRunCommands.Stop("survivor"));
        var stopped = await cluster.WaitForAsync(coordinator, "survivor", s => s.Status == TrainingRunStatus.Stopped && s.Checkpoints.Count > 0 && s.Checkpoints[^1].Step == s.NextStep, "the stop's checkpoint");
        AssertContiguousWithIdenticalReplicas(stopped); // the rejoined replica computed on the same parameters as its peer
        Assert.Contains(stopped.Steps, step => step.Ranks.Length == 1);
        Assert.Equal(2, stopped.Steps[^1].Ranks.Length);
    }

    [PostgresFact]
    public async Task A_hung_trainer_node_holds_up_the_step_but_not_the_runs_answers_and_the_run_goes_on_without_it_once_it_is_downed()
    {
        await using var cluster = ProcessCluster.Create(await postgres.NewDatabaseAsync());
        // A step-timeout far longer than the test may wait: the run must not owe its recovery to it. The frozen node is
        // downed 15 s after it is suspected (not the local profile's 5 s), so that both status samples below, asked
        // within seconds of the freeze on a busy machine, are taken before the run can go on without it.
        string config = Path.Combine(cluster.Root, "long-steps.conf");
        File.WriteAllText(config, "actortrain.training.step-timeout = 10m\nakka.cluster.split-brain-resolver.stable-after = 15s\n");
        var (coordinator, first, second) = await cluster.StartThreeAsync(config);
        await cluster.StartRunAsync(coordinator, "hung", steps: 2000, checkpointEvery: 1000);
        // Both replicas train, so one is on each trainer node (one device each).
        await cluster.WaitForAsync(coordinator, "hung", s => s.NextStep >= 5 && s.Steps[^1].Ranks.Length == 2, "five steps, the last with both replicas");

        // A hung node (SIGSTOP) keeps its sockets, and its kernel answers keepalive probes: the step in flight
        // waits for its replica. The run answers status questions meanwhile.
        second.Freeze();
        var frozen = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var patience = TimeSpan.FromSeconds(10);
        var early = await cluster.AskAsync(coordinator, new TrainingRunCommands.GetStatus("hung"), patience);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var later = await cluster.AskAsync(coordinator, new TrainingRunCommands.GetStatus("hung"), patience);
        Assert.Equal(TrainingRunStatus.Running, later.Status);
        // Asked while the step was held up; not so when both replicas were placed on one node (logs to tell). The node is
        // suspected about 3 s after the freeze and downed 15 s later: an answer after that may rightly show the run going
        // on without it, so the comparison holds only for answers well before (on a machine that slow, the rest of the
        // test still checks the downing and the run going on).
        if (frozen.Elapsed < TimeSpan.FromSeconds(16))
            Assert.True(early.NextStep == later.NextStep, $"the run went from step {early.NextStep} to {later.NextStep} with trainer-2 frozen\n{cluster.Logs()}");

        // The split brain resolver downs the silent node; its ring peer gives up the step at that news, and the
        // run re-forms without it (within the wait's 3 minutes, not the 10 of step-timeout).
        var shrunk = await cluster.WaitForAsync(coordinator, "hung", s => s.Steps.Count > later.NextStep && s.Steps[^1].Ranks.Length == 1, "a step with one replica");
        // Who hears of the downing first depends on where in the step the node froze: in the ring exchange, its ring
        // peer (still waiting on it: "the cluster downed the node of a ring peer") or, when the peer's half of the
        // exchange had already finished, the run itself, and the step is dropped; while applying a committed step,
        // the run stops waiting for its answer and the silent replica leaves the round.
        Assert.Matches(@"run hung step \d+: (failed in round \d+ \(.*the cluster downed|leaving the round without the step applied: rank \d+ \(no answer\))",
            coordinator.Output);
        AssertContiguousWithIdenticalReplicas(shrunk);
        await second.KillAsync();
    }

    [PostgresFact]
    public async Task When_the_node_hosting_the_run_is_SIGKILLed_the_run_restarts_on_the_other_coordinator_from_its_journal()
    {
        await using var cluster = ProcessCluster.Create(await postgres.NewDatabaseAsync());
        var seed = cluster.Start("coordinator-1", "coordinator,data,trainer", seed: null);
        await seed.WaitUpAsync(ProcessCluster.Patience);
        var other = cluster.Start("coordinator-2", "coordinator,trainer", seed);
        var trainer = cluster.Start("trainer", "trainer", seed);
        await Task.WhenAll(other.WaitUpAsync(ProcessCluster.Patience), trainer.WaitUpAsync(ProcessCluster.Patience));
        // A replica on every node: the host's death always takes one with it.
        await cluster.StartRunAsync(trainer, "moving", steps: 2000, checkpointEvery: 1000, replicas: 3);
        var before = await cluster.WaitForAsync(trainer, "moving", s => s.NextStep >= 5, "five steps");

        var host = new[] { seed, other }.Single(node => Regex.IsMatch(node.Output, @"run moving step \d+: round \d+ with replicas"));
        await host.KillAsync();
        await cluster.WaitForAsync(trainer, "moving", s => s.NextStep >= before.NextStep + 15, "fifteen more steps after the host died");
        var survivor = host == seed ? other : seed;
        Assert.Matches(@"run moving step \d+: round \d+ with replicas", survivor.Output); // the entity came back there, from the journal
        // The surviving replicas still held the run's state: it trained on with them, not waiting assemble-timeout for the dead one.
        Assert.DoesNotMatch(@"run moving step \d+: \d+ of 3 replicas ready; waiting for the others", survivor.Output);

        await cluster.AskAsync(trainer, new TrainingRunCommands.Stop("moving"));
        var stopped = await cluster.WaitForAsync(trainer, "moving", s => s.Status == TrainingRunStatus.Stopped, "the stop");
        AssertContiguousWithIdenticalReplicas(stopped);
    }

    [PostgresFact]
    public async Task A_run_whose_whole_cluster_stopped_resumes_at_the_exact_step_bit_identical_to_an_uninterrupted_run()
    {
        await using var cluster = ProcessCluster.Create(await postgres.NewDatabaseAsync());
        var (coordinator, first, second) = await cluster.StartThreeAsync();
        await cluster.StartRunAsync(coordinator, "straight", steps: 24, checkpointEvery: 6);
        var straight = await cluster.WaitForAsync(coordinator, "straight", s => s.Status == TrainingRunStatus.Completed, "the uninterrupted run");

        await cluster.StartRunAsync(coordinator, "interrupted", steps: 24, checkpointEvery: 6);
        await cluster.WaitForAsync(coordinator, "interrupted", s => s.NextStep >= 9, "nine steps");
        // The run's host first: once it is gone no step is committed. A trainer stopped first would leave the run
        // training on with the other replica alone (a node that leaves shrinks the world), not the stop meant here.
        foreach (var node in new[] { coordinator, first, second }) Assert.Equal(0, await node.StopAsync(ProcessCluster.Patience));

        // The same nodes again: the run starts by itself (remembered), from its newest checkpoint and the journal.
        var again = cluster.Start("coordinator-again", "coordinator,data", seed: null, port: coordinator.Port);
        cluster.Start("trainer-1-again", "trainer", again, port: first.Port);
        cluster.Start("trainer-2-again", "trainer", again, port: second.Port);
        var done = await cluster.WaitForAsync(again, "interrupted", s => s.Status == TrainingRunStatus.Completed, "the resumed run");
        // The restarted cluster trained the rest itself, from where the first stopped: a run the first one finished
        // while its nodes left would pass the checks below unresumed.
        var firstRound = Regex.Match(again.Output, @"run interrupted step (\d+): round \d+ with replicas");
        Assert.True(firstRound.Success, $"the restarted coordinator formed no round of the run\n{cluster.Logs()}");
        Assert.InRange(long.Parse(firstRound.Groups[1].Value), 9, 23);

        AssertContiguousWithIdenticalReplicas(done);
        AssertBothReplicasInEveryStep(done, cluster); // same world size throughout
        Assert.Equal(FinalParameters(straight), FinalParameters(done));
    }

    // Steps 0..n-1 each consumed the next global batch of the sample order (nothing lost, nothing twice),
    // and every replica of a step computed it on identical parameters.
    private static void AssertContiguousWithIdenticalReplicas(TrainingRunState state)
    {
        Assert.Equal(Enumerable.Range(0, state.Steps.Count).Select(i => (long)i), state.Steps.Select(s => s.Step));
        Assert.Equal(Enumerable.Range(0, state.Steps.Count).Select(i => (i * (long)GlobalBatch, (i + 1) * (long)GlobalBatch)), state.Steps.Select(s => (s.ConsumedFrom, s.ConsumedTo)));
        Assert.All(state.Steps, step => Assert.Equal(step.Ranks.Length, step.ParameterDigests.Length));
        Assert.All(state.Steps, step => Assert.Single(step.ParameterDigests.Distinct()));
    }

    // With every node's log when it fails: which replica left a step, and why, is only said there.
    private static void AssertBothReplicasInEveryStep(TrainingRunState state, ProcessCluster cluster)
    {
        var without = state.Steps.Where(step => !step.Ranks.SequenceEqual([0, 1])).Select(step => $"{step.Step} [{string.Join(", ", step.Ranks)}]").ToArray();
        Assert.True(without.Length == 0, $"steps without both replicas: {string.Join("; ", without)}\n{cluster.Logs()}");
    }

    private static string FinalParameters(TrainingRunState state) =>
        ActorTrain.Model.Checkpoint.Sha256Of(Path.Combine(state.Checkpoints[^1].Path, "model.safetensors"));
}
