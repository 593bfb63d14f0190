using ActorTrain.Cluster.Persistence;
using ActorTrain.Testing;
using Akka.Actor;
using Xunit;

namespace ActorTrain.Cluster.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PersistenceRoundTripTests(PostgresFixture postgres) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TemporaryDirectory scratch = new("actortrain-journal-");

    public void Dispose() => scratch.Dispose();

    [Fact]
    public Task Persistent_state_survives_an_actor_system_restart_on_sqlite() =>
        StateSurvivesRestart(new SqliteJournal(scratch.Combine("nested", "journal.db")));

    [PostgresFact]
    public async Task Persistent_state_survives_an_actor_system_restart_on_postgres() =>
        await StateSurvivesRestart(PostgresJournal.FromConnectionString(await postgres.NewDatabaseAsync()));

    private static async Task StateSurvivesRestart(JournalTarget target)
    {
        const string id = "tally-1";

        await using (var first = new JournaledActorSystem(target))
        {
            var tally = first.System.ActorOf(Tally.Props(id));
            foreach (int amount in new[] { 1, 2, 3, 4, 5 })
                await tally.Ask<Tally.Added>(new Tally.Add(amount), Patience);
            // The snapshot at seq 3 is saved asynchronously; stop only once the store confirmed it.
            await tally.Ask<Tally.Snapshotted>(new Tally.AwaitSnapshot(3), Patience);
        }

        await using var second = new JournaledActorSystem(target);
        var recovered = await second.System.ActorOf(Tally.Props(id)).Ask<Tally.State>(Tally.Query.Instance, Patience);

        Assert.Equal(15, recovered.Total);
        Assert.Equal(5, recovered.LastSequenceNr);
        Assert.Equal(3, recovered.SnapshotSequenceNr);
        Assert.Equal(2, recovered.EventsReplayed); // events 4 and 5, on top of the snapshot
    }

    // The journal's read side lists every entity of a kind that journaled, awake or not.
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
