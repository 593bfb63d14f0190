using System.Diagnostics;
using System.Text.Json;
using ActorTrain.Chaos;
using ActorTrain.Chaos.Network;
using ActorTrain.Chaos.Scenarios;
using ActorTrain.Processes;

namespace ActorTrain.Benchmarks.Chaos;

/// <summary>
/// `benchmarks/run chaos --minutes N --seed S [--scenario NAME]...`: the chaos scenarios of tests/ActorTrain.Chaos
/// (or only those named), round after round with seeds S, S+1, ... until N minutes have passed (the round under way
/// finishes), on a private PostgreSQL. Prints one row per scenario run and writes benchmarks/results/chaos.json.
/// </summary>
public static class ChaosSuite
{
    public static async Task<int> RunAsync(string[] args)
    {
        double minutes = 10;
        int seed = 1;
        string output = Path.Combine("benchmarks", "results");
        var only = new List<string>();
        const string usage = "usage: benchmarks/run chaos [--minutes N] [--seed S] [--scenario NAME]...";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--minutes" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out minutes) && minutes > 0:
                case "--seed" when i + 1 < args.Length && int.TryParse(args[i + 1], out seed):
                case "--output" when i + 1 < args.Length && (output = args[i + 1]) is not null:
                    i++;
                    break;
                case "--scenario" when i + 1 < args.Length:
                    only.Add(args[++i]);
                    break;
                default:
                    await Console.Error.WriteLineAsync($"chaos: '{args[i]}' is not understood; {usage}");
                    return 2;
            }
        }
        string[] unknown = [.. only.Except(AllNames)];
        if (unknown.Length > 0)
        {
            await Console.Error.WriteLineAsync($"chaos: no scenario named {string.Join(", ", unknown)}; scenarios: {string.Join(", ", AllNames)}");
            return 2;
        }
        await using var postgres = await PrivatePostgres.StartAsync();
        string? noMount = await CheckpointWriteFails.UnavailableReasonAsync();
        string? noNetwork = await NetworkLab.UnavailableReasonAsync();
        var scenarios = new List<(string Name, Func<int, Task<ScenarioResult>> Run)>
        {
            (TrainerKills.Name, async s => await TrainerKills.RunAsync(await postgres.CreateDatabaseAsync($"kills{s}"), s, kills: 3)),
            (TrainerHangs.Name, async s => await TrainerHangs.RunAsync(await postgres.CreateDatabaseAsync($"hangs{s}"), s, hangs: 2)),
            (TrainersDowned.Name, async s => await TrainersDowned.RunAsync(await postgres.CreateDatabaseAsync($"downed{s}"), s)),
            (IngestKills.Name, async s => await IngestKills.RunAsync(await postgres.CreateDatabaseAsync($"ingest{s}"), s)),
            (PostgresRestart.Name, PostgresRestart.RunAsync),
            (CheckpointCorrupted.Name, async s => await CheckpointCorrupted.RunAsync(await postgres.CreateDatabaseAsync($"corrupt{s}"), s)),
            (HostileInput.Name, async s => await HostileInput.RunAsync(await postgres.CreateDatabaseAsync($"hostile{s}"), s)),
        };
        if (noMount is null) scenarios.Add((CheckpointWriteFails.Name, async s => await CheckpointWriteFails.RunAsync(await postgres.CreateDatabaseAsync($"full{s}"), s)));
        else Console.WriteLine($"{CheckpointWriteFails.Name}: not run: {noMount}");
        if (noNetwork is null) scenarios.Add((NetworkPartition.Name, NetworkPartition.RunAsync));
        else Console.WriteLine($"{NetworkPartition.Name}: not run: {noNetwork}");

        if (only.Count > 0) scenarios.RemoveAll(s => !only.Contains(s.Name));
        if (scenarios.Count == 0)
        {
            await Console.Error.WriteLineAsync("chaos: none of the scenarios asked for can run on this machine (see above)");
            return 1;
        }

        var results = new List<ScenarioResult>();
        var clock = Stopwatch.StartNew();
        for (int round = 0; clock.Elapsed.TotalMinutes < minutes; round++)
        {
            foreach (var (name, run) in scenarios)
            {
                if (clock.Elapsed.TotalMinutes >= minutes) break;
                var result = await run(seed + round);
                results.Add(result);
                Console.WriteLine(result);
            }
        }
        Print(results);
        string path = Write(results, seed, minutes, output);
        Console.WriteLine($"wrote {path}");
        return results.All(r => r.Recovered && r.Violations.Count == 0) ? 0 : 1;
    }

    private static readonly string[] AllNames =
        [TrainerKills.Name, TrainerHangs.Name, TrainersDowned.Name, IngestKills.Name, PostgresRestart.Name, CheckpointCorrupted.Name, HostileInput.Name, CheckpointWriteFails.Name, NetworkPartition.Name];

    private static void Print(IReadOnlyList<ScenarioResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-22} {"seed",5} {"recovered",9} {"s to recover",12} {"steps redone",12} {"lost",5} {"twice",5} {"errors",6} {"violations",10}");
        foreach (var r in results)
            Console.WriteLine($"{r.Scenario,-22} {r.Seed,5} {(r.Recovered ? "yes" : "no"),9} {r.SecondsToRecover,12:0.0} {r.StepsRedone,12} {r.SamplesLost,5} {r.SamplesDuplicated,5} {r.ErrorsSurfaced.Count,6} {r.Violations.Count,10}");
    }

    private static string Write(IReadOnlyList<ScenarioResult> results, int seed, double minutes, string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "chaos.json");
        var document = new
        {
            Suite = "chaos",
            Machine = Measure.Machine(Environment.ProcessorCount),
            Seed = seed,
            Minutes = minutes,
            Scenarios = results,
        };
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(document, options) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
        return Path.GetFullPath(path);
    }
}
