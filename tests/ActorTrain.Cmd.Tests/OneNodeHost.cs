using ActorTrain.Cmd.Host;
using ActorTrain.Cmd.Palettes;
using ActorTrain.Cmd.Palettes.Builtin;
using Akka.Actor;
using Akka.Configuration;

namespace ActorTrain.Cmd.Tests;

/// <summary>A cluster of one node on loopback with a command host (any free port) offering the built-in palettes.</summary>
internal sealed class OneNodeHost : IAsyncDisposable
{
    private OneNodeHost(ActorSystem system, CommandHost host)
    {
        System = system;
        Host = host;
    }

    public ActorSystem System { get; }

    public CommandHost Host { get; }

    public string Address => $"127.0.0.1:{Host.Endpoint.Port}";

    public static async Task<OneNodeHost> StartAsync(string? token = null, IEnumerable<PaletteHandler>? extra = null)
    {
        var system = ActorSystem.Create("cmdtest", ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster.roles = [coordinator]
            """));
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var settings = new CommandHostSettings(global::System.Net.IPAddress.Loopback, 0, token);
        var host = CommandHost.Start(system, settings,
            [new ClusterPalette(system), new ShardingPalette(system), new ActorPalette(system), .. extra ?? []]);
        return new OneNodeHost(system, host);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await System.Terminate();
    }
}
