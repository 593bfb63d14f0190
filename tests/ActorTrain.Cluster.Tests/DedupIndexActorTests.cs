using ActorTrain.Cluster.Ingest;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Data.Dedup;
using ActorTrain.Protocol.Dedup;
using ActorTrain.Testing;
using Akka.Actor;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class DedupIndexActorTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TemporaryDirectory root = new("actortrain-dedup-");

    public void Dispose() => root.Dispose();

    [Fact]
    public async Task Owners_are_the_smallest_ids_whatever_the_claim_order_and_survive_a_restart()
    {
        var journal = new SqliteJournal(root.Combine("journal.db"));
        var id = new DedupIndexId("job", 0);
        ClaimedKey Key(DedupKind kind, ulong key, string document) => new(kind, key, document);

        await using (var node = new JournaledActorSystem(journal))
        {
            var index = node.System.ActorOf(DedupIndexActor.Props(id));
            // Two shards' claims arriving in the "wrong" order: the later claim has the smaller id.
            await index.Ask<DedupIndexReplies.Claimed>(new DedupIndexCommands.Claim(id, ClaimBatch.Of([Key(DedupKind.Exact, 1, "/z#0"), Key(DedupKind.Near, 5, "/z#0")])), Patience);
            await index.Ask<DedupIndexReplies.Claimed>(new DedupIndexCommands.Claim(id, ClaimBatch.Of([Key(DedupKind.Exact, 1, "/a#4"), Key(DedupKind.Near, 6, "/a#4")])), Patience);
        }

        await using (var node = new JournaledActorSystem(journal))
        {
            var index = node.System.ActorOf(DedupIndexActor.Props(id));
            var owners = await index.Ask<DedupIndexReplies.Owners>(new DedupIndexCommands.GetOwners(id,
                [new(DedupKind.Exact, 1), new(DedupKind.Near, 5), new(DedupKind.Near, 6), new(DedupKind.Near, 1)]), Patience);
            Assert.Equal(new[] { "/a#4", "/z#0", "/a#4", null }, owners.DocumentIds.ToArray());
        }
    }

    [Fact]
    public async Task Owners_come_back_from_a_snapshot_and_the_claims_after_it()
    {
        var journal = new SqliteJournal(root.Combine("journal.db"));
        var id = new DedupIndexId("job", 1);
        // 450 claims: snapshots at the 200th and the 400th (the first then deleted: each holds every claim), 50 events
        // after them. Claim k is made by "/d#k" and "/z#k":
        // the smaller id, claimed first or second, owns it; key 0 is claimed by every later document and stays with
        // the first (the smallest id).
        await using (var node = new JournaledActorSystem(journal))
        {
            var index = node.System.ActorOf(DedupIndexActor.Props(id));
            for (int k = 1; k <= 450; k++)
            {
                ClaimedKey[] keys = k % 2 == 0
                    ? [new(DedupKind.Near, (ulong)k, $"/z#{k}"), new(DedupKind.Near, (ulong)k, $"/d#{k}")]
                    : [new(DedupKind.Near, (ulong)k, $"/d#{k}"), new(DedupKind.Near, (ulong)k, $"/z#{k}")];
                await index.Ask<DedupIndexReplies.Claimed>(new DedupIndexCommands.Claim(id, ClaimBatch.Of([.. keys, new(DedupKind.Exact, 0, $"/e{k:D3}#0")])), Patience);
            }
            await Eventually.Until(() => Task.FromResult(SnapshotsIn(journal.Path, id.PersistenceId)), snapshots => snapshots == (1, 400), Patience,
                "the snapshot at 400 saved and the one at 200 deleted");
        }

        await using (var node = new JournaledActorSystem(journal))
        {
            var index = node.System.ActorOf(DedupIndexActor.Props(id));
            var asked = Enumerable.Range(1, 450).Select(k => new DedupKey(DedupKind.Near, (ulong)k)).Append(new DedupKey(DedupKind.Exact, 0)).ToArray();
            var owners = await index.Ask<DedupIndexReplies.Owners>(new DedupIndexCommands.GetOwners(id, [.. asked]), Patience);
            string?[] expected = [.. Enumerable.Range(1, 450).Select(k => $"/d#{k}"), "/e001#0"];
            Assert.Equal(expected, owners.DocumentIds.ToArray());
        }
    }

    [Fact]
    public async Task A_journal_of_claims_in_the_old_form_recovers_and_takes_new_claims()
    {
        var journal = new SqliteJournal(root.Combine("journal.db"));
        var id = new DedupIndexId("job", 2);
        await using (var node = new JournaledActorSystem(journal))
        {
            var writer = node.System.ActorOf(Props.Create(() => new OldFormWriter(id.PersistenceId)));
            await writer.Ask<Akka.Done>(new DedupIndexEvents.KeysClaimed([new(DedupKind.Exact, 1, "/z#0"), new(DedupKind.Near, 5, "/z#0")]), Patience);
        }

        await using (var node = new JournaledActorSystem(journal))
        {
            var index = node.System.ActorOf(DedupIndexActor.Props(id));
            await index.Ask<DedupIndexReplies.Claimed>(new DedupIndexCommands.Claim(id, ClaimBatch.Of([new(DedupKind.Exact, 1, "/a#4"), new(DedupKind.Near, 6, "/a#4")])), Patience);
            var owners = await index.Ask<DedupIndexReplies.Owners>(new DedupIndexCommands.GetOwners(id,
                [new(DedupKind.Exact, 1), new(DedupKind.Near, 5), new(DedupKind.Near, 6)]), Patience);
            Assert.Equal(new[] { "/a#4", "/z#0", "/a#4" }, owners.DocumentIds.ToArray());
        }
    }

    [Fact]
    public async Task A_snapshot_in_the_old_form_recovers_with_the_claims_after_it()
    {
        var journal = new SqliteJournal(root.Combine("journal.db"));
        var id = new DedupIndexId("job", 3);
        await using (var node = new JournaledActorSystem(journal))
        {
            var writer = node.System.ActorOf(Props.Create(() => new OldFormWriter(id.PersistenceId)));
            await writer.Ask<Akka.Done>(new DedupIndexEvents.KeysClaimed([new(DedupKind.Exact, 1, "/z#0")]), Patience);
            var old = new DedupIndexState(DuplicateClaims.Empty.Claim(1, "/z#0"), DuplicateClaims.Empty.Claim(5, "/z#0").Claim(7, "/q#10"));
            await writer.Ask<Akka.Done>(old, Patience);
        }

        await using (var node = new JournaledActorSystem(journal))
        {
            var index = node.System.ActorOf(DedupIndexActor.Props(id));
            // "/q#9" is larger than "/q#10" as strings: ids compare as text, whatever their record numbers.
            await index.Ask<DedupIndexReplies.Claimed>(new DedupIndexCommands.Claim(id, ClaimBatch.Of([new(DedupKind.Exact, 1, "/a#4"), new(DedupKind.Near, 7, "/q#9")])), Patience);
            var owners = await index.Ask<DedupIndexReplies.Owners>(new DedupIndexCommands.GetOwners(id,
                [new(DedupKind.Exact, 1), new(DedupKind.Near, 5), new(DedupKind.Near, 7)]), Patience);
            Assert.Equal(new[] { "/a#4", "/z#0", "/q#10" }, owners.DocumentIds.ToArray());
        }
    }

    // Writes events, and a snapshot, as an older version of the bucket did.
    private sealed class OldFormWriter : Akka.Persistence.ReceivePersistentActor
    {
        public OldFormWriter(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<DedupIndexEvents.KeysClaimed>(claimed =>
            {
                var requester = Sender;
                Persist(claimed, _ => requester.Tell(Akka.Done.Instance));
            });
            Command<DedupIndexState>(state =>
            {
                SaveSnapshot(state);
                Become(() =>
                {
                    var requester = Sender;
                    Command<Akka.Persistence.SaveSnapshotSuccess>(_ => requester.Tell(Akka.Done.Instance));
                });
            });
        }

        public override string PersistenceId { get; }
    }

    // How many snapshots the store holds for the actor, and the newest one's sequence number.
    private static (long Count, long Newest) SnapshotsIn(string database, string persistenceId)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(MAX(sequence_number), 0) FROM snapshot WHERE persistence_id = $id";
        command.Parameters.AddWithValue("$id", persistenceId);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
