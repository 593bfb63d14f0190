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
}
