using ActorTrain.Cluster.Ingest;
using ActorTrain.Data.Cleaning;
using ActorTrain.Protocol.Cleaning;
using Akka.Actor;

namespace ActorTrain.Cluster.Tests;

/// <summary>Routes cleaner commands to one child per cleaner id, as the shard region does on a cluster.</summary>
internal sealed class LocalCleaners : ReceiveActor
{
    public LocalCleaners(DocumentCleaner cleaner, ActorTrain.Protocol.Dedup.DedupLayout layout)
    {
        Receive<CleanerCommands.Clean>(clean =>
        {
            string name = Uri.EscapeDataString(clean.Cleaner.EntityId);
            var child = Context.Child(name);
            (child.IsNobody() ? Context.ActorOf(CleanerActor.Props(cleaner, layout), name) : child).Forward(clean);
        });
    }
}
