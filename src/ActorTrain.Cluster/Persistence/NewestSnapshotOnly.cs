using Akka.Event;
using Akka.Persistence;

namespace ActorTrain.Cluster.Persistence;

/// <summary>
/// A persistent actor whose snapshots each hold its whole state: once one is saved, the older ones are deleted.
/// Akka.Persistence.Sql keeps every snapshot row otherwise, so a store of n snapshots growing with the state costs
/// O(n²) bytes (a dedup bucket of twenty million documents: tens of GB), and a failed save or delete would go unseen.
/// </summary>
public abstract class NewestSnapshotOnly : ReceivePersistentActor
{
    /// <summary>Handles the snapshot store's answers; call it once from the constructor.</summary>
    protected void KeepOnlyTheNewestSnapshot()
    {
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)));
        // The journal still has every event: recovery replays more, and the next snapshot tries again.
        Command<SaveSnapshotFailure>(failure => Context.GetLogger().Warning(failure.Cause, "snapshot of {0} failed", PersistenceId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => Context.GetLogger().Warning(failure.Cause, "deleting the old snapshots of {0} failed", PersistenceId));
    }
}
