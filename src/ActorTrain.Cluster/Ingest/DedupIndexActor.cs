using ActorTrain.Protocol.Dedup;
using Akka.Actor;
using Akka.Persistence;

namespace ActorTrain.Cluster.Ingest;

/// <summary>A bucket of the job's dedup index: journals the claims it receives and answers who owns
/// which key. Thin over <see cref="DedupIndexState"/>; snapshots keep recovery short.</summary>
public sealed class DedupIndexActor : ReceivePersistentActor
{
    private const int SnapshotEvery = 200;
    private DedupIndexState state = DedupIndexState.Empty;

    public DedupIndexActor(DedupIndexId id)
    {
        PersistenceId = id.PersistenceId;
        Recover<SnapshotOffer>(offer => state = (DedupIndexState)offer.Snapshot);
        Recover<DedupIndexEvents.KeysClaimed>(claimed => state = state.Apply(claimed));

        Command<DedupIndexCommands.Claim>(claim =>
        {
            var requester = Sender;
            Persist(new DedupIndexEvents.KeysClaimed(claim.Keys), claimed =>
            {
                state = state.Apply(claimed);
                if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(state);
                requester.Tell(new DedupIndexReplies.Claimed(claimed.Keys.Length));
            });
        });
        Command<DedupIndexCommands.GetOwners>(query =>
            Sender.Tell(new DedupIndexReplies.Owners([.. query.Keys.Select(state.OwnerOf)])));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(_ => { }); // the journal still has every claim; the next snapshot retries
    }

    public override string PersistenceId { get; }

    public static Props Props(DedupIndexId id) => Akka.Actor.Props.Create(() => new DedupIndexActor(id));
}
