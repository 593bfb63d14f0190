using System.Diagnostics;
using System.Text.Json;
using ZstdSharp;

namespace ActorTrain.Chaos.Scenarios;

/// <summary>
/// An ingest job on three data nodes, SIGKILL of a node chosen by the seed while the job collects and
/// deduplicates, twice, each node started again after a random delay. The job must finish by itself
/// (asked for its status, as an operator would) with output identical to a fault-free run of the same
/// corpus on the same cluster: the same documents kept in every shard, the same counts per stage.
/// </summary>
public static class IngestKills
{
    public const string Name = "ingest-sigkill";

    public static async Task<ScenarioResult> RunAsync(string journal, int seed, int kills = 2)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        var cluster = ProcessCluster.Create(journal);
        cluster.RestartDownedNodes();
        var violations = new List<string>();
        bool recovered = false;
        double extraSeconds = -1;
        long lost = 0, extra = 0;
        try
        {
            var nodes = Enumerable.Range(1, 3).Select(i => cluster.Start($"data-{i}", "coordinator,data", i == 1 ? null : cluster.Nodes[0])).ToList();
            await Task.WhenAll(nodes.Select(n => n.WaitUpAsync(ChaosScenario.Patience)));
            string corpus = Corpus(Path.Combine(cluster.Root, "corpus"), random);

            var (clean, cleanSeconds) = await IngestAsync(nodes[0], "clean", corpus, (_, _) => Task.CompletedTask);

            int killedWhileRunning = 0;
            var (faulty, faultySeconds) = await IngestAsync(nodes[0], "faulty", corpus, async (job, completed) =>
            {
                for (int kill = 0; kill < kills; kill++)
                {
                    await Task.Delay(TimeSpan.FromSeconds(0.5 + random.NextDouble() * 2));
                    // Never the node pbm talks to: the operator's own connection is not the fault under test.
                    var victims = cluster.Nodes.Where(n => !n.HasExited && n.Name != "data-1").ToList();
                    var victim = victims[random.Next(victims.Count)];
                    if (!completed()) killedWhileRunning++;
                    await victim.KillAsync();
                    await Task.Delay(TimeSpan.FromSeconds(1 + random.NextDouble() * 4));
                    await cluster.Restart(victim).WaitUpAsync(ChaosScenario.Patience);
                }
            });
            // A kill after the job completed tests nothing: the scenario must have hit the job itself.
            if (killedWhileRunning == 0) violations.Add("every kill came after the job had completed: no fault was injected into it (give it a larger corpus)");
            extraSeconds = faultySeconds - cleanSeconds;
            recovered = true;
            (lost, extra) = Compare(clean, faulty, violations);
        }
        catch (Exception e) when (e is TimeoutException or NodeFailedException)
        {
            violations.Add(cluster.NotRecovered(Name, seed, e));
        }
        var all = cluster.Nodes.ToList();
        await cluster.StopAllAsync();
        await cluster.DisposeAsync();
        violations.AddRange(cluster.LeftoverProcesses());
        return new ScenarioResult(Name, seed, recovered, Math.Max(0, extraSeconds), 0, lost, extra, NodeLogs.Errors(all, run: null), violations, clock.Elapsed.TotalSeconds);
    }

    // Starts the job through pbm, runs the faults beside it (told whether the job has completed yet), and asks for its
    // status until it completes; its output directory, and the seconds to its completion (not to the end of the faults:
    // the last victim's restart after the job is over is not the job's time).
    private static async Task<(string Output, double Seconds)> IngestAsync(NodeProcess contact, string job, string corpus, Func<string, Func<bool>, Task> faults)
    {
        var clock = Stopwatch.StartNew();
        var (code, output) = await Pbm.RunAsync(contact.CommandAddress!, "data", "ingest", "-j", job, "-s", corpus, "--shards", "4");
        if (code != 0) throw new InvalidOperationException($"pbm data ingest -j {job}: {output}");
        bool completed = false;
        var faulting = faults(job, () => Volatile.Read(ref completed));
        var deadline = DateTime.UtcNow + ChaosScenario.Patience;
        string status = "";
        while (!status.StartsWith($"{job} | completed", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"ingest job {job} did not complete within {ChaosScenario.Patience.TotalSeconds:0}s; last status: {status}");
            await Task.Delay(500);
            (_, status) = await Pbm.RunAsync(contact.CommandAddress!, "data", "status", "-j", job);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref completed, true);
        await faulting;
        return (status.Split('\n')[0].Split(" | ")[^1].Trim(), seconds);
    }

    // Documents per shard and counts per stage, fault-free against faulty; returns documents missing and extra.
    private static (long Lost, long Extra) Compare(string clean, string faulty, List<string> violations)
    {
        long lost = 0, extra = 0;
        foreach (string shard in Directory.GetDirectories(clean, "shard-*").Select(Path.GetFileName).Order(StringComparer.Ordinal)!)
        {
            var expected = Documents(Path.Combine(clean, shard!, "documents.jsonl.zst"));
            var actual = Documents(Path.Combine(faulty, shard!, "documents.jsonl.zst"));
            // As multisets: a document written twice is one extra, though its text is among the expected.
            var expectedCounts = expected.CountBy(d => d).ToDictionary();
            var actualCounts = actual.CountBy(d => d).ToDictionary();
            lost += expectedCounts.Sum(e => Math.Max(0, e.Value - actualCounts.GetValueOrDefault(e.Key)));
            extra += actualCounts.Sum(a => Math.Max(0, a.Value - expectedCounts.GetValueOrDefault(a.Key)));
            if (!expected.SequenceEqual(actual)) violations.Add($"{shard}: {actual.Count} documents, fault-free {expected.Count}, not the same");
        }
        using var cleanStats = JsonDocument.Parse(File.ReadAllText(Path.Combine(clean, "stats.json")));
        if (cleanStats.RootElement.GetProperty("documents_kept").GetInt64() == 0)
            violations.Add("the fault-free run kept no document: there is nothing to compare");
        using var faultyStats = JsonDocument.Parse(File.ReadAllText(Path.Combine(faulty, "stats.json")));
        foreach (string key in new[] { "documents_in", "documents_kept", "bad_records", "bytes_in", "bytes_out", "dropped_by_stage" })
        {
            string a = cleanStats.RootElement.GetProperty(key).GetRawText(), b = faultyStats.RootElement.GetProperty(key).GetRawText();
            if (a != b) violations.Add($"stats.json {key}: {b}, fault-free {a}");
        }
        return (lost, extra);
    }

    private static List<string> Documents(string file)
    {
        if (!File.Exists(file)) return [];
        using var stream = new DecompressionStream(File.OpenRead(file));
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }

    /// <summary>Text files of prose the quality filters keep (made-up words between real stop words), some
    /// paragraphs shared and every 20th file a copy of an earlier one, for the dedup stages; from the seed.</summary>
    // Large enough that the job is still running when the kills come (with 400 files it completed in about 3 s, before the
    // first kill, and the scenario passed having tested nothing).
    public static string Corpus(string directory, Random random, int files = 2400)
    {
        Directory.CreateDirectory(directory);
        string[] syllables = ["ka", "lo", "mi", "ren", "tus", "bel", "dor", "fin", "gal", "hun", "jas", "vor", "pel", "sar", "tim", "wen", "zor", "quin", "bra", "dul"];
        string Word() => string.Concat(Enumerable.Range(0, random.Next(2, 4)).Select(_ => syllables[random.Next(syllables.Length)]));
        string Sentence() => $"The {Word()} of the {Word()} was {Word()} and {Word()}, so they {Word()} with the {Word()} {Word()} to {Word()} the {Word()}.";
        string Paragraph() => string.Join(' ', Enumerable.Range(0, 6).Select(_ => Sentence()));
        var shared = Enumerable.Range(0, 30).Select(_ => Paragraph()).ToArray();
        var texts = new List<string>();
        for (int i = 0; i < files; i++)
        {
            string text = i % 20 == 19 ? texts[random.Next(texts.Count)]
                : string.Join("\n\n", Enumerable.Range(0, 4).Select(_ => random.Next(3) == 0 ? shared[random.Next(shared.Length)] : Paragraph())) + "\n";
            texts.Add(text);
            File.WriteAllText(Path.Combine(directory, $"doc-{i:D4}.txt"), text);
        }
        return directory;
    }
}
