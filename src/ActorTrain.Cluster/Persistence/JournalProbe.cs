using Akka.Actor;
using Akka.Persistence;

namespace ActorTrain.Cluster.Persistence;

/// <summary>
/// A throwaway persistent actor that proves the journal works end to end: one incarnation persists
/// a marker, a second one with the same persistence id must replay it, then it erases its events.
/// Failures the persistence plugin reports to the actor (not to a sender) go to <c>onFailure</c>.
/// </summary>
internal sealed class JournalProbe : ReceivePersistentActor
{
    public sealed record Write(string Marker);

    public sealed record Written(long SequenceNr);

    public sealed record ReadBack
    {
        public static readonly ReadBack Instance = new();
    }

    public sealed record Replayed(IReadOnlyList<string> Markers);

    public sealed record Erase
    {
        public static readonly Erase Instance = new();
    }

    public sealed record Erased
    {
        public static readonly Erased Instance = new();
    }

    private readonly List<string> replayed = [];
    private readonly Action<Exception> onFailure;
    private IActorRef? eraseRequester;

    public JournalProbe(string persistenceId, Action<Exception> onFailure)
    {
        PersistenceId = persistenceId;
        this.onFailure = onFailure;

        Recover<string>(marker => replayed.Add(marker));
        Command<Write>(write =>
        {
            var requester = Sender;
            Persist(write.Marker, _ => requester.Tell(new Written(LastSequenceNr)));
        });
        Command<ReadBack>(_ => Sender.Tell(new Replayed(replayed.ToArray())));
        Command<Erase>(_ =>
        {
            eraseRequester = Sender;
            DeleteMessages(LastSequenceNr);
        });
        Command<DeleteMessagesSuccess>(_ => eraseRequester?.Tell(Erased.Instance));
        Command<DeleteMessagesFailure>(failure => onFailure(failure.Cause));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, Action<Exception> onFailure) =>
        Akka.Actor.Props.Create(() => new JournalProbe(persistenceId, onFailure));

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        onFailure(reason);
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        onFailure(cause);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        onFailure(cause);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }
}
