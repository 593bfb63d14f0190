using System.Text.Json;
using ActorTrain.Chaos;
using ActorTrain.Chaos.Scenarios;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>
/// An ingest job on three `actortrain node` processes (local profile, private PostgreSQL) whose own node is
/// SIGKILLed and never comes back. Nothing asks the job anything until its output is complete: it must start
/// again on a survivor by itself (its region remembers it) and finish the work.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class IngestJobProcessTests(PostgresFixture postgres)
{
    [PostgresFact]
    public async Task An_ingest_job_whose_node_is_killed_starts_again_on_a_survivor_and_finishes_without_being_asked()
    {
        await using var cluster = ProcessCluster.Create(await postgres.NewDatabaseAsync());
        var nodes = Enumerable.Range(1, 3).Select(i => cluster.Start($"data-{i}", "coordinator,data", i == 1 ? null : cluster.Nodes[0])).ToList();
        await Task.WhenAll(nodes.Select(n => n.WaitUpAsync(ProcessCluster.Patience)));
        string corpus = IngestKills.Corpus(Path.Combine(cluster.Root, "corpus"), new Random(5), files: 1500);

        var (code, started) = await Pbm.RunAsync(nodes[0].CommandAddress!, "data", "ingest", "-j", "unattended", "-s", corpus, "--shards", "4");
        Assert.True(code == 0, started);
        var (_, status) = await Pbm.RunAsync(nodes[0].CommandAddress!, "data", "status", "-j", "unattended");
        string output = status.Split('\n')[0].Split(" | ")[^1].Trim();
        string stats = Path.Combine(output, "stats.json");
        var host = await Eventually.Until(() => Task.FromResult(nodes.FirstOrDefault(n => n.Output.Contains("ingest job unattended: planned"))),
            n => n is not null, ProcessCluster.Patience, "the job's node to log its plan");

        await host!.KillAsync();
        Assert.False(File.Exists(stats), "the job finished before its node was killed: give it a larger corpus");
        await Eventually.Until(() => Task.FromResult(File.Exists(stats)), done => done, ProcessCluster.Patience, $"{stats} (the job, unasked, to finish)");

        var survivors = nodes.Where(n => n != host).ToList();
        Assert.Contains(survivors, n => n.Output.Contains("ingest job unattended: resuming"));
        (code, status) = await Pbm.RunAsync(survivors[0].CommandAddress!, "data", "status", "-j", "unattended");
        Assert.True(code == 0, status);
        Assert.StartsWith("unattended | completed", status);
        using var written = JsonDocument.Parse(File.ReadAllText(stats));
        Assert.Equal(1500, written.RootElement.GetProperty("documents_in").GetInt64());
        Assert.True(written.RootElement.GetProperty("documents_kept").GetInt64() > 1000, written.RootElement.ToString());
    }
}
