using ActorTrain.Data.Dedup;
using ActorTrain.Protocol.Dedup;
using Akka.Actor;
using Akka.Persistence;
using ActorTrain.Cluster.Persistence;

namespace ActorTrain.Cluster.Ingest;

/// <summary>A bucket of the job's dedup index: journals the claims it receives and answers who owns
/// which key. Its claims are in mutable tables (the actor is their only user); snapshots, which keep recovery
/// short, are immutable copies (<see cref="DedupIndexState"/>), since the snapshot store serializes them later.</summary>
public sealed class DedupIndexActor : NewestSnapshotOnly
{
    private const int SnapshotEvery = 200;
    private DuplicateClaimTable exact = new(), near = new();

    public DedupIndexActor(DedupIndexId id)
    {
        PersistenceId = id.PersistenceId;
        Recover<SnapshotOffer>(offer =>
        {
            var snapshot = (DedupIndexState)offer.Snapshot;
            (exact, near) = (DuplicateClaimTable.From(snapshot.Exact), DuplicateClaimTable.From(snapshot.Near));
        });
        Recover<DedupIndexEvents.ClaimsRecorded>(recorded => Apply(recorded.Claims.Claims()));
        Recover<DedupIndexEvents.KeysClaimed>(claimed => Apply(claimed.Keys));

        Command<DedupIndexCommands.Claim>(claim =>
        {
            var requester = Sender;
            Persist(new DedupIndexEvents.ClaimsRecorded(claim.Claims), recorded =>
            {
                Apply(recorded.Claims.Claims());
                if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(new DedupIndexState(exact.ToClaims(), near.ToClaims()));
                requester.Tell(new DedupIndexReplies.Claimed(recorded.Claims.Count));
            });
        });
        Command<DedupIndexCommands.GetOwners>(query =>
            Sender.Tell(new DedupIndexReplies.Owners([.. query.Keys.Select(key => TableOf(key.Kind).OwnerOf(key.Key))])));
        KeepOnlyTheNewestSnapshot();
    }

    public override string PersistenceId { get; }

    public static Props Props(DedupIndexId id) => Akka.Actor.Props.Create(() => new DedupIndexActor(id));

    private void Apply(IEnumerable<ClaimedKey> claims)
    {
        foreach (var claim in claims) TableOf(claim.Kind).Claim(claim.Key, claim.DocumentId);
    }

    private DuplicateClaimTable TableOf(DedupKind kind) => kind == DedupKind.Exact ? exact : near;
}
