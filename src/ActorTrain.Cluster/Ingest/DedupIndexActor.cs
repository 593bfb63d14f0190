using ActorTrain.Data.Dedup;
using ActorTrain.Protocol.Dedup;
using Akka.Actor;
using Akka.Persistence;
using ActorTrain.Cluster.Persistence;

namespace ActorTrain.Cluster.Ingest;

/// <summary>A bucket of the job's dedup index: journals the claims it receives and answers who owns
/// which key. Its claims are in mutable tables (the actor is their only user); snapshots, which keep recovery
/// short, are immutable copies (<see cref="DedupIndexSnapshot"/>), since the snapshot store serializes them later.</summary>
public sealed class DedupIndexActor : NewestSnapshotOnly
{
    private const int SnapshotEvery = 200;
    private DuplicateClaimTable exact = new(), near = new();

    public DedupIndexActor(DedupIndexId id)
    {
        PersistenceId = id.PersistenceId;
        Recover<SnapshotOffer>(offer => (exact, near) = offer.Snapshot switch
        {
            DedupIndexSnapshot snapshot => (DuplicateClaimTable.From(snapshot.Exact), DuplicateClaimTable.From(snapshot.Near)),
            DedupIndexState old => (DuplicateClaimTable.From(old.Exact), DuplicateClaimTable.From(old.Near)),
            var other => throw new InvalidOperationException($"dedup bucket {PersistenceId}: a snapshot of type {other.GetType().Name} is not one of a bucket"),
        });
        Recover<DedupIndexEvents.ClaimsRecorded>(recorded => Apply(recorded.Claims));
        Recover<DedupIndexEvents.KeysClaimed>(claimed => Apply(claimed.Keys));

        Command<DedupIndexCommands.Claim>(claim =>
        {
            var requester = Sender;
            Persist(new DedupIndexEvents.ClaimsRecorded(claim.Claims), recorded =>
            {
                Apply(recorded.Claims);
                if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(new DedupIndexSnapshot(exact.ToColumns(), near.ToColumns()));
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

    // Column by column: a batch's sources are numbered in each table once, and no claim becomes a string.
    private void Apply(ClaimBatch batch)
    {
        var exactSources = batch.Sources.Select(exact.SourceNumber).ToArray();
        var nearSources = batch.Sources.Select(near.SourceNumber).ToArray();
        for (int i = 0; i < batch.Keys.Length; i++)
        {
            if (i < batch.ExactKeys) exact.Claim(batch.Keys[i], exactSources[batch.Source[i]], batch.Record[i]);
            else near.Claim(batch.Keys[i], nearSources[batch.Source[i]], batch.Record[i]);
        }
    }

    private DuplicateClaimTable TableOf(DedupKind kind) => kind == DedupKind.Exact ? exact : near;
}
