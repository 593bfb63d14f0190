using ActorTrain.Cluster.Ingest;
using ActorTrain.Protocol.Dedup;
using Akka.Actor;

namespace ActorTrain.Cluster.Tests;

/// <summary>Routes dedup-index commands to one persistent child per bucket, as the shard region does
/// on a cluster: for tests of data shards inside one actor system.</summary>
internal sealed class LocalDedupIndex : ReceiveActor
{
    public LocalDedupIndex()
    {
        Receive<DedupIndexCommands.Claim>(claim => Bucket(claim.Index).Forward(claim));
        Receive<DedupIndexCommands.GetOwners>(query => Bucket(query.Index).Forward(query));
    }

    private IActorRef Bucket(DedupIndexId id)
    {
        string name = Uri.EscapeDataString(id.EntityId);
        var child = Context.Child(name);
        return child.IsNobody() ? Context.ActorOf(DedupIndexActor.Props(id), name) : child;
    }
}
