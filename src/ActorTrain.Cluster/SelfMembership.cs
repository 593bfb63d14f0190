using Akka.Actor;
using Akka.Cluster;

namespace ActorTrain.Cluster;

/// <summary>
/// When the cluster has taken this node in: it is a member (Joining) as soon as a seed's Welcome arrived, a leader
/// tick or so before the leader moves it Up.
/// </summary>
public static class SelfMembership
{
    /// <summary>Completes once this node is a member of the cluster, Joining or later; never if the system stops first.</summary>
    public static Task WelcomedAsync(ActorSystem system)
    {
        var welcomed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new Watcher(welcomed)), "self-membership");
        return welcomed.Task;
    }

    private sealed class Watcher : ReceiveActor
    {
        private readonly Akka.Cluster.Cluster cluster = Akka.Cluster.Cluster.Get(Context.System);

        public Watcher(TaskCompletionSource welcomed)
        {
            Receive<ClusterEvent.IMemberEvent>(e =>
            {
                if (!e.Member.UniqueAddress.Equals(cluster.SelfUniqueAddress)) return;
                welcomed.TrySetResult();
                Context.Stop(Self);
            });
        }

        protected override void PreStart() => cluster.Subscribe(Self, ClusterEvent.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

        protected override void PostStop() => cluster.Unsubscribe(Self);
    }
}
