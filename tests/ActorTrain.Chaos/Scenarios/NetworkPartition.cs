using System.Text.RegularExpressions;
using ActorTrain.Chaos.Network;

namespace ActorTrain.Chaos.Scenarios;

/// <summary>
/// Three nodes, each in its own network namespace, one replica each; the node hosting the run (found from the
/// logs; the watcher moves off it first) is cut off from the other two (its veth link down). The split brain
/// resolver keeps the majority: the isolated node downs itself and exits, the two others take the run over from
/// the journal and train on with the replicas they hold (two, unless placement put two on one node: a trainer
/// region that registered late leaves its device free and another node's shared). No step may be trained on both
/// sides. Then the link comes back, the node is started again, and the run has its three replicas again. Needs
/// root (network namespaces).
/// </summary>
public static partial class NetworkPartition
{
    public const string Name = "network-partition";

    public static async Task<ScenarioResult> RunAsync(int seed)
    {
        await using var lab = await NetworkLab.CreateAsync(3, seed);
        var scenario = new ChaosScenario(Name, seed, ProcessCluster.CreateOnSqlite());
        string[] seeds = [.. Enumerable.Range(0, 3).Select(i => $"{lab.Host(i)}:4053")];
        var nodes = new NodeProcess[3];
        return await scenario.RunAsync(async s =>
        {
            for (int i = 0; i < 3; i++)
                nodes[i] = s.Cluster.Start($"node-{i + 1}", "coordinator,data,trainer", seeds, lab.Place(i), port: 4053, metricsPort: 9464);
            await Task.WhenAll(nodes.Select(n => n.WaitUpAsync(ChaosScenario.Patience)));
            return nodes[0];
        }, async (s, watcher) =>
        {
            long from = watcher.Latest!.NextStep;
            int after = s.Random.Next(2, 8);
            await watcher.WaitForAsync(state => state.NextStep >= from + after && state.Steps[^1].Ranks.Length == 3, ChaosScenario.Patience, "three replicas training");
            // The run's host: the one node whose log commits its steps. When that is the node the watcher asks
            // through, the watcher moves to another node first.
            // A node's output is read as it comes: the host's commit lines may be a moment behind the watcher's answers.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            int[] hosts = [.. Enumerable.Range(0, 3).Where(i => CommittedSteps(nodes[i]).Any())];
            while (hosts.Length != 1 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
                hosts = [.. Enumerable.Range(0, 3).Where(i => CommittedSteps(nodes[i]).Any())];
            }
            if (hosts.Length != 1)
            {
                s.Violations.Add($"the run's host is not one node, so it cannot be isolated: steps were committed on [{string.Join(", ", hosts.Select(i => nodes[i].Name))}]");
                return;
            }
            int victim = hosts[0];
            if (watcher.Contact == nodes[victim]) await watcher.AskThroughAsync(nodes[(victim + 1 + s.Random.Next(2)) % 3]);
            Console.WriteLine($"{Name} (seed {s.Seed}): isolating {nodes[victim].Name}, the run's host; watching through {watcher.Contact.Name}");
            long before = watcher.Latest!.NextStep;
            int majority = 3 - ReplicasAt(nodes[victim], lab.Host(victim));

            watcher.Fault();
            await lab.IsolateAsync(victim);
            try
            {
                using (var exit = new CancellationTokenSource(ChaosScenario.Patience)) await nodes[victim].WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                s.Violations.Add($"{nodes[victim].Name}, cut off in the minority, was not downed: it still runs");
            }
            await watcher.WaitForAsync(state => state.NextStep > before + 3 && state.Steps[^1].Ranks.Length == majority, ChaosScenario.Patience,
                $"the majority training with its {majority} replicas");

            await lab.HealAsync(victim);
            // The node comes back once the network has: connections the others began to it during the partition time out
            // only after Akka.Remote's connection-timeout (15 s), and its address stays gated 5 s more. A node restarted
            // at once was heard by one peer and not by the other, and the split brain resolver downed both it and that
            // healthy peer (DownIndirectlyConnected, seen in CI with node-1 isolated). Found, not fixed: see the README.
            await Task.Delay(TimeSpan.FromSeconds(20));
            var back = s.Cluster.Restart(nodes[victim]);
            await back.WaitUpAsync(ChaosScenario.Patience);
            long healed = watcher.Latest!.NextStep;
            await watcher.WaitForAsync(state => state.NextStep > healed + 3 && state.Steps[^1].Ranks.Length == 3, ChaosScenario.Patience,
                "three replicas again after the partition healed");

            // Each step is committed (and logged) by one run actor, once: a step logged twice was trained on both sides.
            var twice = s.Cluster.Nodes.SelectMany(CommittedSteps).GroupBy(step => step).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (twice.Count > 0) s.Violations.Add($"steps committed on both sides of the partition: {string.Join(", ", twice)}");
        }, replicas: 3);
    }

    private static IEnumerable<long> CommittedSteps(NodeProcess node) =>
        CommitLine().Matches(node.Output).Select(m => long.Parse(m.Groups[1].Value));

    [GeneratedRegex(@"run chaos step (\d+): loss ")]
    private static partial Regex CommitLine();

    // Replicas of the run's newest round on the node at HOST, from the run's log line
    // "round R with replicas [0 on cpu:0 at 10.x.0.11:PORT, ...]".
    private static int ReplicasAt(NodeProcess runHost, string host) =>
        RoundLine().Matches(runHost.Output).LastOrDefault() is { } round ? Regex.Count(round.Groups[1].Value, $@" at {Regex.Escape(host)}:\d+") : 1;

    [GeneratedRegex(@"run chaos step \d+: round \d+ with replicas \[([^\]]*)\]")]
    private static partial Regex RoundLine();
}
