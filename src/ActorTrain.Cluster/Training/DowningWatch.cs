using Akka.Actor;
using Akka.Cluster;

namespace ActorTrain.Cluster.Training;

/// <summary>
/// Ends a wait on replicas as soon as the cluster downs the node of one of them. A replica whose process
/// died closes its sockets and its ring peers fail at once; one that hangs (stopped, swapping, a stuck
/// driver) keeps them open and its kernel still answers keepalive probes, and an ask to it is simply never
/// answered, so every wait would last step-timeout. The split brain resolver's decision is the signal: that
/// node is gone for the cluster, and the run re-forms without it. Used by trainers around their ring
/// operations and by the run around its waits on replicas; fed by a <see cref="DownedNodes"/> listener, an
/// actor of its own so that the news arrives while its owner is busy.
/// </summary>
public sealed class DowningWatch
{
    // Nodes downed lately, for an operation that starts after the news (a round formed just before it):
    // node names carry the incarnation's uid, so a node restarted at the same address is not among them.
    private const int Remembered = 64;
    private readonly object gate = new();
    private readonly HashSet<string> downed = [];
    private readonly Queue<string> downedInOrder = new();
    private Operation? current;

    /// <summary>A node's name as trainers report it: its address and the uid of this incarnation.</summary>
    public static string NameOf(UniqueAddress node) => $"{node.Address}#{node.Uid}";

    /// <summary>A wait's token: cancelled after <paramref name="timeout"/>, or as soon as one of <paramref name="peerNodes"/>
    /// (<see cref="NameOf"/>) is downed. One wait at a time; dispose it when the wait is over.</summary>
    public Operation Begin(IEnumerable<string> peerNodes, TimeSpan timeout)
    {
        var operation = new Operation(this, [.. peerNodes], new CancellationTokenSource(timeout));
        lock (gate)
        {
            current = operation;
            if (operation.Peers.FirstOrDefault(downed.Contains) is { } gone) Cancel(operation, gone);
        }
        return operation;
    }

    /// <summary>The cluster downed (or removed) <paramref name="node"/> (<see cref="NameOf"/>).</summary>
    public void Downed(string node)
    {
        lock (gate)
        {
            if (downed.Add(node))
            {
                downedInOrder.Enqueue(node);
                if (downedInOrder.Count > Remembered) downed.Remove(downedInOrder.Dequeue());
            }
            if (current is not null && current.Peers.Contains(node)) Cancel(current, node);
        }
    }

    // Under the lock: the operation cannot be disposed meanwhile.
    private static void Cancel(Operation operation, string node)
    {
        operation.DownedPeer ??= node;
        operation.Cancellation.Cancel();
    }

    private void End(Operation operation)
    {
        lock (gate)
        {
            if (current == operation) current = null;
            operation.Cancellation.Dispose();
        }
    }

    public sealed class Operation : IDisposable
    {
        private readonly DowningWatch watch;
        private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal Operation(DowningWatch watch, HashSet<string> peers, CancellationTokenSource cancellation)
        {
            this.watch = watch;
            Peers = peers;
            Cancellation = cancellation;
            Cancellation.Token.Register(() => ended.TrySetResult());
        }

        internal HashSet<string> Peers { get; }

        internal CancellationTokenSource Cancellation { get; }

        public CancellationToken Token => Cancellation.Token;

        /// <summary>Completes when the token is cancelled (a peer downed, or the deadline); never fails.</summary>
        public Task Ended => ended.Task;

        /// <summary>The peer's node whose downing cancelled the operation; null when it was not that.</summary>
        public string? DownedPeer { get; internal set; }

        public void Dispose() => watch.End(this);
    }

    /// <summary>Tells the watch of every member the cluster downs or removes.</summary>
    public sealed class DownedNodes : ReceiveActor
    {
        private readonly Akka.Cluster.Cluster cluster = Akka.Cluster.Cluster.Get(Context.System);

        public DownedNodes(DowningWatch watch)
        {
            Receive<ClusterEvent.MemberDowned>(downed => watch.Downed(NameOf(downed.Member.UniqueAddress)));
            Receive<ClusterEvent.MemberRemoved>(removed => watch.Downed(NameOf(removed.Member.UniqueAddress)));
            Receive<ClusterEvent.CurrentClusterState>(_ => { });
        }

        protected override void PreStart() =>
            cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberDowned), typeof(ClusterEvent.MemberRemoved));

        protected override void PostStop() => cluster.Unsubscribe(Self);
    }
}
