using ActorTrain.Data.Cleaning;
using ActorTrain.Protocol.Cleaning;
using ActorTrain.Protocol.Dedup;
using Akka.Actor;

namespace ActorTrain.Cluster.Ingest;

/// <summary>A `cleaner` entity: the CPU work of the data path (filters, PII scrubbing, dedup
/// signatures) for its data shard, on whatever node the shard allocation put it. Stateless, so
/// it can be restarted or moved at any time; the data shard owns all progress.</summary>
public sealed class CleanerActor : ReceiveActor
{
    /// <param name="layout">This node's: a shard of a job planned under another is refused, its signatures would not fit.</param>
    public CleanerActor(DocumentCleaner cleaner, DedupLayout layout)
    {
        Receive<CleanerCommands.Clean>(clean =>
        {
            if (clean.Layout is { } job && job != layout)
            {
                Sender.Tell(new Status.Failure(new InvalidOperationException($"the cleaner on {Akka.Cluster.Cluster.Get(Context.System).SelfAddress}: {DedupLayout.Mismatch(layout, job)}")));
                return;
            }
            Sender.Tell(new CleanerReplies.Cleaned([.. cleaner.Clean(clean.Documents)]));
        });
    }

    public static Props Props(DocumentCleaner cleaner, DedupLayout layout) => Akka.Actor.Props.Create(() => new CleanerActor(cleaner, layout));
}
