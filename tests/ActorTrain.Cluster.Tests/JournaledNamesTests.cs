using ActorTrain.Cluster.Persistence;
using ActorTrain.Testing;
using Akka.Actor;
using Xunit;

namespace ActorTrain.Cluster.Tests;

/// <summary>The journal's read side lists every entity of a kind that journaled, awake or not, on both backends.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JournaledNamesTests(PostgresFixture postgres) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TemporaryDirectory scratch = new("actortrain-names-");

    public void Dispose() => scratch.Dispose();

    [Fact]
    public Task Entities_that_journaled_are_listed_by_kind_after_they_stopped_on_sqlite() =>
        ListsStoppedEntities(new SqliteJournal(scratch.Combine("journal.db")));

    [PostgresFact]
    public async Task Entities_that_journaled_are_listed_by_kind_after_they_stopped_on_postgres() =>
        await ListsStoppedEntities(PostgresJournal.FromConnectionString(await postgres.NewDatabaseAsync()));

    private static async Task ListsStoppedEntities(JournalTarget target)
    {
        await using (var first = new JournaledActorSystem(target))
        {
            Assert.Empty(await JournaledNames.ListAsync(first.System, "training-run-")); // a journal with no table yet
            foreach (string id in new[] { "training-run-b-2", "ingest-job-web", "training-run-a", "training-run-c" })
            {
                var entity = first.System.ActorOf(Tally.Props(id));
                await entity.Ask<Tally.Added>(new Tally.Add(1), Patience);
                await entity.GracefulStop(Patience);
            }
        }
        await using var second = new JournaledActorSystem(target); // nothing awake: only the journal knows them
        Assert.Equal(["a", "b-2", "c"], await JournaledNames.ListAsync(second.System, "training-run-"));
        Assert.Equal(["web"], await JournaledNames.ListAsync(second.System, "ingest-job-"));
    }
}
