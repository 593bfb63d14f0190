using ActorTrain.Data.Cleaning;
using ActorTrain.Protocol.Cleaning;
using Akka.Actor;

namespace ActorTrain.Cluster.Ingest;

/// <summary>A `cleaner` entity: the CPU work of the data path (filters, PII scrubbing, dedup
/// signatures) for its data shard, on whatever node the shard allocation put it. Stateless, so
/// it can be restarted or moved at any time; the data shard owns all progress.</summary>
public sealed class CleanerActor : ReceiveActor
{
    public CleanerActor(DocumentCleaner cleaner)
    {
        Receive<CleanerCommands.Clean>(clean => Sender.Tell(new CleanerReplies.Cleaned([.. cleaner.Clean(clean.Documents)])));
    }

    public static Props Props(DocumentCleaner cleaner) => Akka.Actor.Props.Create(() => new CleanerActor(cleaner));
}
