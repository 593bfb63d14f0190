using System.Collections.Immutable;
using ActorTrain.Cluster.Bootstrap;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Ingest;
using ActorTrain.Cluster.Observability;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Cluster.Training;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Configuration;
using Akka.Discovery.KubernetesApi;
using Akka.Event;

namespace ActorTrain.Cluster;

/// <summary>Where a node listens, whom it joins, what it does and keeps: the settings of `actortrain node`.</summary>
/// <param name="Seeds">Seed nodes as HOST:PORT; none: this node founds the cluster.</param>
/// <param name="Profiles">Configuration layered over cluster.conf, the first winning (a profile, then files).</param>
/// <param name="HttpPort">Port of the node's HTTP endpoint (metrics, probes, bootstrap contact point) on
/// actortrain.metrics.host; 0: none.</param>
public sealed record NodeOptions(string Host, int Port, ImmutableArray<string> Seeds, ImmutableArray<string> Roles, NodeDevices Devices,
    JournalTarget Journal, ImmutableArray<Config> Profiles, int HttpPort = 0);

/// <summary>
/// A node of a real cluster: joins the seeds, hosts the data path and training regions of its roles
/// (proxies for the others), offers its devices to trainer replicas, and answers cluster clients
/// (`actortrain train --cluster`) through the receptionist. Disposing leaves the cluster gracefully.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    /// <summary>Actor system name: every node of a cluster must use the same.</summary>
    public const string SystemName = "actortrain";

    private readonly IncarnationMark? mark;

    private ClusterNode(ActorSystem system, Config config, IngestRegions ingest, TrainingRegions training, IngestSettings ingestSettings,
        NodeHttpEndpoint? http, IncarnationMark? mark)
    {
        this.mark = mark;
        Http = http;
        System = system;
        Config = config;
        Ingest = ingest;
        Training = training;
        IngestSettings = ingestSettings;
    }

    public IngestRegions Ingest { get; }

    /// <summary>Metrics, probes and the bootstrap contact point; null when the node has no HTTP port.</summary>
    public NodeHttpEndpoint? Http { get; }

    public IngestSettings IngestSettings { get; }

    public ActorSystem System { get; }

    public Config Config { get; }

    public TrainingRegions Training { get; }

    public Akka.Actor.Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>The effective configuration of a node: its own settings, the profiles, cluster.conf, persistence, the reference.</summary>
    public static Config ConfigFor(NodeOptions options)
    {
        var roles = options.Roles.Concat(options.Roles.Contains("trainer") ? options.Devices.Roles : []);
        string seeds = string.Join(", ", options.Seeds.Select(seed => EmbeddedHocon.Quote($"akka.tcp://{SystemName}@{seed}")));
        var own = ConfigurationFactory.ParseString($"""
            akka.remote.dot-netty.tcp.hostname = {EmbeddedHocon.Quote(options.Host)}
            akka.remote.dot-netty.tcp.port = {options.Port}
            akka.cluster.roles = [{string.Join(", ", roles.Select(EmbeddedHocon.Quote))}]
            akka.cluster.seed-nodes = [{seeds}]
            """);
        var config = options.Profiles.Aggregate(own, (layered, profile) => layered.WithFallback(profile));
        return config
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Cluster))
            .WithFallback(PersistenceConfig.For(options.Journal))
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base))
            .WithFallback(KubernetesDiscovery.DefaultConfiguration())
            // Sharding's, the singleton's and distributed data's serializers from the first message on: the others'
            // replicators and coordinators send to a node as soon as it joins, and without them it cannot read them.
            .WithFallback(Akka.Cluster.Sharding.ClusterSharding.DefaultConfig())
            .WithFallback(Akka.Cluster.Tools.Singleton.ClusterSingleton.DefaultConfig())
            .WithFallback(Akka.DistributedData.DistributedData.DefaultConfig());
    }

    /// <exception cref="TimeoutException">The node was not Up within <paramref name="timeout"/> (no seed reachable).</exception>
    /// <exception cref="System.Net.HttpListenerException">The HTTP port is taken.</exception>
    /// <param name="cancellationToken">Gives up joining (the node was told to stop meanwhile): the system is terminated
    /// and <see cref="OperationCanceledException"/> thrown.</param>
    public static async Task<ClusterNode> StartAsync(NodeOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        PersistenceConfig.Prepare(options.Journal);
        var config = ConfigFor(options);
        // Read before the system starts, so a bad value fails with its key named and nothing running.
        var training = TrainingSettings.From(config);
        var data = DataSettings.From(config);
        var ingest = IngestSettings.From(config);
        var bootstrap = BootstrapSettings.From(config, options.HttpPort);
        if (bootstrap.Enabled && !options.Seeds.IsEmpty)
            throw new ConfigurationException("actortrain.bootstrap.enabled = on and --seed exclude each other: the bootstrap finds the nodes through discovery");
        // A node joining others at a fixed address first waits out the others' removal of an incarnation of it that died
        // there without leaving (see IncarnationMark); one founding the cluster, or on a port of its own, has nobody to wait for.
        var mark = options.Port != 0 && (bootstrap.Enabled || !options.Seeds.IsEmpty)
            ? await IncarnationMark.ClaimOnceRemovedAsync(IncarnationMark.PathFor(NodeDataDirectory.Resolve(config), options.Host, options.Port),
                IncarnationMark.RemovalTime(config), cancellationToken)
            : null;
        var deadline = DateTime.UtcNow + timeout;
        ActorSystem system;
        NodeHttpEndpoint? http;
        Task up;
        try
        {
            (system, http, up) = await StartJoinedAsync(options, config, bootstrap, deadline, timeout, cancellationToken);
        }
        catch
        {
            mark?.Dispose();
            throw;
        }
        // Ended in order from here on (left, downed, or given up below): the next incarnation need not wait.
        if (mark is not null) _ = system.WhenTerminated.ContinueWith(_ => mark.Dispose(), TaskScheduler.Default);
        mark?.Report(system.Log);
        var cluster = Akka.Cluster.Cluster.Get(system);
        // Sharding (and its replicators) once the cluster took this node in, before the leader moves it Up: the
        // coordinators' state writes go to every node of a role that is Up, and one whose replicator was not there
        // yet held each coordinator up for its 5 s updating-state-timeout whenever nodes joined together. Not
        // before the join: until the others remove a dead incarnation at this same address, their replicators and
        // regions still send to it, and a node restarted there then sometimes never heard the seed's answer.
        var ingestRegions = IngestRegions.Start(system, data, ingest);
        var regions = TrainingRegions.Start(system, training);
        if (await Task.WhenAny(up, Task.Delay(Max(deadline - DateTime.UtcNow, TimeSpan.Zero), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default)) != up)
        {
            http?.Dispose();
            await system.Terminate();
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"the node joined the cluster but was not moved Up within {timeout.TotalSeconds:0}s (a member the others cannot reach holds up convergence)");
        }
        var receptionist = ClusterClientReceptionist.Get(system);
        if (cluster.SelfRoles.Contains("coordinator")) receptionist.RegisterService(regions.Runs);
        if (cluster.SelfRoles.Contains("trainer")) receptionist.RegisterService(regions.Trainers);
        return new ClusterNode(system, config, ingestRegions, regions, ingest, http, mark);
    }

    // A node restarted at the address of an incarnation the cluster has not yet removed sometimes never hears
    // the seed's acknowledgements of its join: the seed reads every InitJoin and answers, and the answers are
    // lost in the seed's remoting, stuck on its association with this address (chaos soaks: a few restarts in a
    // hundred; akka/akka-core#16224 is the same symptom). It comes unstuck when the connection drops, so a
    // joining node that got no answer in this long starts again as a new incarnation instead of waiting on.
    private static readonly TimeSpan FreshIncarnationAfter = TimeSpan.FromSeconds(20);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // The actor system, once the cluster took it in (and its HTTP endpoint, and its being Up, to come): a seeded join
    // that stalls is given up and tried by a new system, a new incarnation at the same address, until the deadline.
    private static async Task<(ActorSystem System, NodeHttpEndpoint? Http, Task Up)> StartJoinedAsync(NodeOptions options, Config config,
        BootstrapSettings bootstrap, DateTime deadline, TimeSpan timeout, CancellationToken cancellationToken)
    {
        bool seeded = !bootstrap.Enabled && !options.Seeds.IsEmpty;
        for (int incarnation = 1; ; incarnation++)
        {
            var left = deadline - DateTime.UtcNow;
            bool last = !seeded || left <= FreshIncarnationAfter + FreshIncarnationAfter;
            var system = ActorSystem.Create(SystemName, config);
            NodeHttpEndpoint? http = null;
            try
            {
                // Before joining: a bootstrapping node's contact point must answer the others' probes.
                if (options.HttpPort != 0) http = NodeHttpEndpoint.Start(system, config.GetString("actortrain.metrics.host", "127.0.0.1"), options.HttpPort);
                if (await JoinAsync(system, options, bootstrap, last ? left : FreshIncarnationAfter, cancellationToken) is { } up) return (system, http, up);
                cancellationToken.ThrowIfCancellationRequested();
                if (last)
                {
                    string tries = incarnation == 1 ? "" : $", {incarnation} incarnations";
                    throw new TimeoutException($"the node did not join the cluster within {timeout.TotalSeconds:0}s ({JoinedWhat(options, bootstrap)}{tries})");
                }
                system.Log.Warning("no seed answered the join within {0:0}s; starting again as a new incarnation at the same address", FreshIncarnationAfter.TotalSeconds);
                http?.Dispose();
                await system.Terminate();
            }
            catch
            {
                http?.Dispose();
                await system.Terminate();
                throw;
            }
        }
    }

    // Joins the seeds, itself (no seeds), or whatever the bootstrap finds. Once the cluster took this node in, the
    // task of its being Up; null when it was not taken in within the timeout.
    private static async Task<Task?> JoinAsync(ActorSystem system, NodeOptions options, BootstrapSettings bootstrap, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        var welcomed = SelfMembership.WelcomedAsync(system);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        giveUp.CancelAfter(timeout);
        if (bootstrap.Enabled) _ = ContactPointBootstrap.RunAsync(system, bootstrap, giveUp.Token);
        else if (options.Seeds.IsEmpty) cluster.Join(cluster.SelfAddress);
        var givenUp = Task.Delay(Timeout.Infinite, giveUp.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        if (await Task.WhenAny(welcomed, givenUp) == welcomed) return up.Task;
        // Cancelled, not merely disposed: a bootstrap still probing for this system must stop with it.
        giveUp.Cancel();
        return null;
    }

    private static string JoinedWhat(NodeOptions options, BootstrapSettings bootstrap) =>
        bootstrap.Enabled ? $"bootstrap: {bootstrap.DiscoveryMethod} discovery of '{bootstrap.ServiceName}'"
            : "seeds: " + (options.Seeds.IsEmpty ? "itself" : string.Join(", ", options.Seeds));

    /// <summary>Leaves the cluster (its shards hand off to the others), then stops the system.</summary>
    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await System.WhenTerminated;
        mark?.Dispose(); // before the process may exit: the termination's own continuation could come too late
    }
}
