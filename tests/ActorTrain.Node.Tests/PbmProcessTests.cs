using System.Text.RegularExpressions;
using ActorTrain.Chaos;
using ActorTrain.Cmd.Client;
using ActorTrain.Protocol.Training;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>`pbm` against a cluster of real node processes: membership, a graceful leave during training, and the train palette.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PbmProcessTests(PostgresFixture postgres)
{
    [PostgresFact]
    public async Task Pbm_shows_three_members_drives_a_run_and_a_trainer_leaving_shrinks_the_world_while_training_goes_on()
    {
        await using var cluster = ProcessCluster.Create(await postgres.NewDatabaseAsync());
        var (coordinator, first, second) = await cluster.StartThreeAsync();
        string pbm = coordinator.CommandAddress!;

        var show = await PbmCommand.ShowWhenUpAsync(pbm, members: 3);
        var lines = show.TrimEnd().Split('\n');
        Assert.Equal("Count: 3 nodes", lines[^1]);
        Assert.Contains(lines, l => l.StartsWith($"akka.tcp://actortrain@{first.Address} | [device:cpu:0,trainer] | up |  | ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"akka.tcp://actortrain@{coordinator.Address} | [coordinator,data] | up |  | ", StringComparison.Ordinal));

        var start = await PbmCommand.OkAsync(pbm, "train", "start", "-r", "driven", "--dataset", cluster.DatasetDirectory, "--run-dir", Path.Combine(cluster.Root, "runs", "driven"),
            "--steps", "3000", "--global-batch", "6", "--micro-batch", "3", "--replicas", "2", "--checkpoint-every", "1000");
        Assert.StartsWith("driven | running | step 0/3000", start);
        await cluster.WaitForAsync(coordinator, "driven", s => s.NextStep >= 3, "three steps");

        Assert.Contains("| paused |", (await PbmCommand.OkAsync(pbm, "train", "pause", "-r", "driven")));
        var paused = await cluster.WaitForAsync(coordinator, "driven", s => s.Status == TrainingRunStatus.Paused, "the pause");
        await Task.Delay(1500);
        Assert.InRange((await cluster.WaitForAsync(coordinator, "driven", _ => true, "status")).NextStep, paused.NextStep, paused.NextStep + 1);
        Assert.Contains("| running |", (await PbmCommand.OkAsync(pbm, "train", "resume", "-r", "driven")));

        // train tail streams committed steps until Ctrl+C.
        await using (var connection = await PbmConnection.OpenAsync("127.0.0.1", int.Parse(pbm.Split(':')[1]), null))
        {
            using var cancel = new CancellationTokenSource();
            var streamed = new List<string>();
            var (ok, _, _) = await connection.ExecuteAsync(["train", "tail", "-r", "driven"], line =>
            {
                streamed.Add(line);
                if (streamed.Count(l => l.StartsWith("step ", StringComparison.Ordinal)) >= 3) cancel.Cancel();
            }, cancel.Token).WaitAsync(ProcessCluster.Patience);
            Assert.True(ok);
            Assert.Matches(@"^step \d+ \| loss [0-9.]+ \| \d+ tokens/s \| replicas \[0, 1\]$", streamed.First(l => l.StartsWith("step ", StringComparison.Ordinal)));
        }

        // A trainer node leaves gracefully: its replica has no free device to go to, the world shrinks, training goes on.
        long before = (await cluster.WaitForAsync(coordinator, "driven", _ => true, "status")).NextStep;
        var leave = await PbmCommand.OkAsync(pbm, "cluster", "leave", "-a", $"akka.tcp://actortrain@{second.Address}");
        Assert.Contains("is leaving the cluster", leave);
        using (var exit = new CancellationTokenSource(ProcessCluster.Patience)) await second.WaitForExitAsync(exit.Token);
        Assert.Equal(0, second.ExitCode); // it left: nothing for a supervisor to restart
        var shrunk = await cluster.WaitForAsync(coordinator, "driven", s => s.NextStep > before + 5 && s.Steps[^1].Ranks.Length == 1, "training on with one replica");
        Assert.Equal(Enumerable.Range(0, (int)shrunk.NextStep).Select(i => i * 6L), shrunk.Steps.Select(s => s.ConsumedFrom));
        await PbmCommand.ShowWhenUpAsync(pbm, members: 2);

        Assert.Contains("| stopped |", (await PbmCommand.OkAsync(pbm, "train", "stop", "-r", "driven")));
        var list = await PbmCommand.OkAsync(pbm, "train", "list");
        Assert.StartsWith("driven | stopped |", list);

        // The coordinator's structured log lines (Serilog): node, run and step in each training line.
        var peek = await PbmCommand.OkAsync(pbm, "log", "peek", "-n", "2000");
        Assert.Matches($@"\[\d\d:\d\d:\d\d\.\d{{3}} INF\] \[{Regex.Escape(coordinator.Address)}\] \S+: run driven step \d+: loss \d+\.\d{{4}}, \d+ tokens/s, replicas \[0, 1\]", peek);
        Assert.Contains("run driven step ", coordinator.Output);

        // Downed: a failure (exit 3), so that a supervisor (systemd's Restart=on-failure) starts it again.
        await PbmCommand.OkAsync(pbm, "cluster", "down", "-a", $"akka.tcp://actortrain@{first.Address}");
        using (var exit = new CancellationTokenSource(ProcessCluster.Patience)) await first.WaitForExitAsync(exit.Token);
        Assert.True(first.ExitCode == 3, $"exit code {first.ExitCode}:\n{first.Output}");
        Assert.Contains("node stopped: the cluster downed it", first.Output);
    }

    [PostgresFact]
    public async Task A_node_whose_command_host_is_open_to_the_network_demands_a_token_and_refuses_a_wrong_one()
    {
        await using var cluster = ProcessCluster.Create(await postgres.NewDatabaseAsync());
        string open = Path.Combine(cluster.Root, "open.conf");
        File.WriteAllText(open, "actortrain.cmd.host = \"0.0.0.0\"\n");
        var refused = cluster.Start("tokenless", "coordinator", seed: null, config: open);
        await Assert.ThrowsAsync<NodeFailedException>(() => refused.WaitUpAsync(ProcessCluster.Patience)); // it exits
        await refused.WaitForExitAsync();
        Assert.Contains("actortrain.cmd.host 0.0.0.0 is not loopback: set actortrain.cmd.token", refused.Output);

        string guarded = Path.Combine(cluster.Root, "guarded.conf");
        File.WriteAllText(guarded, "actortrain.cmd { host = \"0.0.0.0\", token = \"s3cret\" }\n");
        var node = cluster.Start("guarded", "coordinator", seed: null, config: guarded);
        await node.WaitUpAsync(ProcessCluster.Patience);
        string address = $"127.0.0.1:{node.CommandAddress!.Split(':')[^1]}";
        foreach (var (args, problem) in new[] { (new[] { address }, "this node requires a token"), (new[] { address, "--token", "guess" }, "wrong token") })
        {
            var (code, _, errors) = await PbmCommand.RunAsync([.. args, "cluster", "leave"]);
            Assert.Equal(PbmApp.Unreachable, code);
            Assert.Contains(problem, errors);
        }
        Assert.Contains("Count: 1 nodes", (await PbmCommand.OkAsync(address, "--token", "s3cret", "cluster", "show")));
        Assert.False(node.HasExited); // the refused `cluster leave`s never ran
    }
}
