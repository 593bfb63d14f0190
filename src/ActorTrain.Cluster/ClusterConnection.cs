using System.Net;
using System.Net.Sockets;
using ActorTrain.Cluster.Configuration;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Configuration;

namespace ActorTrain.Cluster;

/// <summary>
/// A connection from outside the cluster (the `actortrain train --cluster` command, tests) to its
/// training regions, through Akka's cluster client and the receptionist every node runs: the client
/// is not a member, so it neither counts for the split brain resolver nor has to leave.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    public const string RunsPath = "/system/sharding/training-run";
    public const string TrainersPath = "/system/sharding/trainer";

    private readonly ActorSystem system;
    private readonly IActorRef client;
    private readonly string contact;

    private ClusterConnection(ActorSystem system, IActorRef client, string contact)
    {
        this.system = system;
        this.client = client;
        this.contact = contact;
    }

    /// <param name="contact">Any node's HOST:PORT (its Akka remoting address).</param>
    /// <exception cref="FormatException">Not HOST:PORT.</exception>
    public static ClusterConnection Open(string contact)
    {
        int colon = contact.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(contact[(colon + 1)..], out int port) || port is < 1 or > 65535)
            throw new FormatException($"cluster address '{contact}' is not HOST:PORT");
        string host = contact[..colon];
        // Replies come back over remoting: listen on the address this machine uses to reach the cluster.
        var config = ConfigurationFactory.ParseString($"""
                akka.actor.provider = remote
                akka.remote.dot-netty.tcp.hostname = {EmbeddedHocon.Quote(LocalAddressTowards(host).ToString())}
                akka.remote.dot-netty.tcp.port = 0
                # Remoting's own complaints (a node that died, a connection that dropped) are not the user's
                # business here: a question nobody answers fails with a TimeoutException naming the address.
                akka.loglevel = OFF
                akka.stdout-loglevel = OFF
                """)
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base))
            .WithFallback(ClusterClientReceptionist.DefaultConfig());
        var system = ActorSystem.Create("actortrain-client", config);
        var settings = ClusterClientSettings.Create(system)
            .WithInitialContacts([ActorPath.Parse($"akka.tcp://{ClusterNode.SystemName}@{contact}/system/receptionist")]);
        return new ClusterConnection(system, system.ActorOf(ClusterClient.Props(settings), "client"), contact);
    }

    /// <summary>Asks the training runs; the message may arrive more than once, so it must be idempotent (every run command is).</summary>
    /// <exception cref="TimeoutException">No node answered within <paramref name="timeout"/>; names the address tried.</exception>
    public Task<T> AskRunsAsync<T>(object message, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AskAsync<T>(RunsPath, message, timeout, cancellationToken);

    /// <summary>Asks the trainer replicas; the message may arrive more than once, so it must be idempotent.</summary>
    public Task<T> AskTrainersAsync<T>(object message, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AskAsync<T>(TrainersPath, message, timeout, cancellationToken);

    // The receptionist drops a message for a service it has not heard of yet: the registry travels between
    // nodes by gossip, a second or more after they are up, and a node that just joined (or a contact whose
    // coordinators are still starting) knows none. So the question is asked again until answered.
    private async Task<T> AskAsync<T>(string path, object message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await RepeatedAsk.UntilAsync(patience => client.Ask<T>(new ClusterClient.Send(path, message), patience, cancellationToken),
                timeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8));
        }
        catch (AskTimeoutException)
        {
            throw new TimeoutException($"no answer from the cluster at {contact} within {timeout.TotalSeconds:0}s (is a node with the role listening there?)");
        }
    }

    private static IPAddress LocalAddressTowards(string host)
    {
        var target = IPAddress.TryParse(host, out var literal) ? literal : Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        if (IPAddress.IsLoopback(target)) return IPAddress.Loopback;
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(target, 9); // a UDP "connect" sends nothing: it only picks the route and so the local address
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    public async ValueTask DisposeAsync() => await system.Terminate();
}
