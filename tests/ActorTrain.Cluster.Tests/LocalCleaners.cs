using ActorTrain.Cluster.Ingest;
using ActorTrain.Data.Cleaning;
using ActorTrain.Protocol.Cleaning;
using Akka.Actor;

namespace ActorTrain.Cluster.Tests;

/// <summary>Routes cleaner commands to one child per cleaner id, as the shard region does on a cluster.</summary>
internal sealed class LocalCleaners : ReceiveActor
{
    /// <param name="answers">How many commands are answered; the later ones never are (a shard held mid-collection).</param>
    /// <param name="held">Completed when the first command is held.</param>
    public LocalCleaners(DocumentCleaner cleaner, ActorTrain.Protocol.Dedup.DedupLayout layout, int answers = int.MaxValue, TaskCompletionSource? held = null)
    {
        int received = 0;
        Receive<CleanerCommands.Clean>(clean =>
        {
            if (++received > answers)
            {
                held?.TrySetResult();
                return;
            }
            string name = Uri.EscapeDataString(clean.Cleaner.EntityId);
            var child = Context.Child(name);
            (child.IsNobody() ? Context.ActorOf(CleanerActor.Props(cleaner, layout), name) : child).Forward(clean);
        });
    }
}
