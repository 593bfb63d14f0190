using Akka.Actor;
using Akka.Cluster;

namespace ActorTrain.Cluster;

/// <summary>
/// The news that the cluster removed a member, as a task to await. A message sent to a sharded entity whose node
/// died is lost without a word, and its region keeps routing there until that node is removed; from then on the
/// entity's messages reach its new home. An idempotent question (<see cref="RepeatedAsk"/>) is asked again at that
/// moment rather than when its patience runs out. On an actor system that is not a cluster member, never.
/// </summary>
public sealed class MemberRemovals : IExtension
{
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MemberRemovals(ExtendedActorSystem system)
    {
        if (system.Provider is Akka.Cluster.IClusterActorRefProvider)
            system.SystemActorOf(Props.Create(() => new Listener(this)), "member-removals");
    }

    /// <summary>Completes at the next removal after it was read.</summary>
    public Task Next => Volatile.Read(ref next).Task;

    public static MemberRemovals Get(ActorSystem system) => system.WithExtension<MemberRemovals, MemberRemovalsProvider>();

    private void Removed() => Interlocked.Exchange(ref next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private sealed class Listener : ReceiveActor
    {
        private readonly Akka.Cluster.Cluster cluster = Akka.Cluster.Cluster.Get(Context.System);

        public Listener(MemberRemovals removals) => Receive<ClusterEvent.MemberRemoved>(_ => removals.Removed());

        protected override void PreStart() => cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));

        protected override void PostStop() => cluster.Unsubscribe(Self);
    }
}

public sealed class MemberRemovalsProvider : ExtensionIdProvider<MemberRemovals>
{
    public override MemberRemovals CreateExtension(ExtendedActorSystem system) => new(system);
}
