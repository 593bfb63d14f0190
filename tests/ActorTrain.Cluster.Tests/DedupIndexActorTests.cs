using ActorTrain.Cluster.Ingest;
using ActorTrain.Cluster.Persistence;
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
            await index.Ask<DedupIndexReplies.Claimed>(new DedupIndexCommands.Claim(id, [Key(DedupKind.Exact, 1, "/z#0"), Key(DedupKind.Near, 5, "/z#0")]), Patience);
            await index.Ask<DedupIndexReplies.Claimed>(new DedupIndexCommands.Claim(id, [Key(DedupKind.Exact, 1, "/a#4"), Key(DedupKind.Near, 6, "/a#4")]), Patience);
        }

        await using (var node = new JournaledActorSystem(journal))
        {
            var index = node.System.ActorOf(DedupIndexActor.Props(id));
            var owners = await index.Ask<DedupIndexReplies.Owners>(new DedupIndexCommands.GetOwners(id,
                [Key(DedupKind.Exact, 1, "/z#0"), Key(DedupKind.Near, 5, "/z#0"), Key(DedupKind.Near, 6, "/a#4"), Key(DedupKind.Near, 1, "/q#0")]), Patience);
            Assert.Equal(new[] { "/a#4", "/z#0", "/a#4", null }, owners.DocumentIds.ToArray());
        }
    }
}
