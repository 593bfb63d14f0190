using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Persistence;
using Akka.Actor;
using Akka.Configuration;

namespace ActorTrain.Cluster;

/// <summary>An actor system that is a cluster of one node with every role, journaling to a
/// <see cref="JournalTarget"/>; ready once the node is Up.</summary>
public sealed class SingleNodeCluster : IAsyncDisposable
{
    private SingleNodeCluster(ActorSystem system, Config config)
    {
        System = system;
        Config = config;
    }

    public ActorSystem System { get; }

    /// <summary>The effective configuration (overrides, cluster profile, persistence, base).</summary>
    public Config Config { get; }

    /// <exception cref="JournalUnavailableException">The journal's database cannot be opened; the message names it.</exception>
    public static async Task<SingleNodeCluster> StartAsync(string name, JournalTarget journal, Config overrides, TimeSpan timeout)
    {
        // One plain connection first: a database that cannot be opened is one sentence naming it, not a journal plugin's
        // restart loop and, a minute later, a command's "Timeout".
        await JournalConnectivity.EnsureReachableAsync(journal, CancellationToken.None);
        PersistenceConfig.Prepare(journal);
        // The command that starts this cluster owns its life: Akka's own hook would shut it down on Ctrl+C (it runs on
        // SIGINT too), under the command that is stopping its work there with a checkpoint.
        var config = overrides
            .WithFallback(ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off"))
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.ClusterSingleNode))
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Cluster))
            .WithFallback(PersistenceConfig.For(journal))
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base));
        var system = ActorSystem.Create(name, config);
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        if (await Task.WhenAny(up.Task, Task.Delay(timeout)) != up.Task)
        {
            await system.Terminate();
            throw new TimeoutException($"the single-node cluster did not come up within {timeout.TotalSeconds:0}s");
        }
        return new SingleNodeCluster(system, config);
    }

    /// <summary>Leaves the cluster, then stops the system.</summary>
    public async ValueTask DisposeAsync()
    {
        var cluster = Akka.Cluster.Cluster.Get(System);
        await cluster.LeaveAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        await System.Terminate();
    }
}
