using Akka.Actor;
using Akka.Persistence;

namespace ActorTrain.Cluster.Tests;

/// <summary>
/// A persistent counter for the round-trip tests: journals every addition, snapshots every third,
/// and reports how its state was recovered so a test can tell snapshot from replay.
/// </summary>
internal sealed class Tally : ReceivePersistentActor
{
    public sealed record Add(int Amount);

    public sealed record Added(int Total);

    public sealed record Query
    {
        public static readonly Query Instance = new();
    }

    /// <summary>Answered with <see cref="Snapshotted"/> once a snapshot at or after the sequence number is stored.</summary>
    public sealed record AwaitSnapshot(long SequenceNr);

    public sealed record Snapshotted(long SequenceNr);

    public sealed record State(int Total, long SnapshotSequenceNr, int EventsReplayed, long LastSequenceNr);

    private const int SnapshotEvery = 3;
    private int total;
    private long snapshotSequenceNr;
    private int eventsReplayed;
    private long savedSnapshotSequenceNr;
    private readonly List<(long SequenceNr, IActorRef Requester)> snapshotWaiters = [];

    public Tally(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<SnapshotOffer>(offer =>
        {
            total = (int)offer.Snapshot;
            snapshotSequenceNr = offer.Metadata.SequenceNr;
        });
        Recover<int>(amount =>
        {
            total += amount;
            eventsReplayed++;
        });
        Command<Add>(add =>
        {
            var requester = Sender;
            Persist(add.Amount, amount =>
            {
                total += amount;
                if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(total);
                requester.Tell(new Added(total));
            });
        });
        Command<SaveSnapshotSuccess>(saved =>
        {
            savedSnapshotSequenceNr = Math.Max(savedSnapshotSequenceNr, saved.Metadata.SequenceNr);
            AnswerSnapshotWaiters();
        });
        Command<AwaitSnapshot>(wait =>
        {
            snapshotWaiters.Add((wait.SequenceNr, Sender));
            AnswerSnapshotWaiters();
        });
        Command<Query>(_ => Sender.Tell(new State(total, snapshotSequenceNr, eventsReplayed, LastSequenceNr)));
    }

    public override string PersistenceId { get; }

    private void AnswerSnapshotWaiters()
    {
        foreach (var waiter in snapshotWaiters.Where(w => w.SequenceNr <= savedSnapshotSequenceNr).ToArray())
        {
            waiter.Requester.Tell(new Snapshotted(savedSnapshotSequenceNr));
            snapshotWaiters.Remove(waiter);
        }
    }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new Tally(persistenceId));
}
