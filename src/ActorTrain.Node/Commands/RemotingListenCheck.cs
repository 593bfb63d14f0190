using System.Net;
using System.Net.Sockets;
using Akka.Configuration;

namespace ActorTrain.Node.Commands;

/// <summary>
/// Whether a node can listen where its remoting will, tried before the actor system starts: when remoting cannot bind,
/// DotNetty logs its stack trace first, then the system ends with "Failed to bind to [...]", and the operator reads
/// thirty lines to find "Address already in use".
/// </summary>
public static class RemotingListenCheck
{
    /// <summary>What stops the node from listening, said with the option that mends it; null when it can listen.</summary>
    /// <param name="config">The node's effective configuration: its bind-hostname/bind-port, where set, win over hostname/port.</param>
    public static (string Problem, bool Usage)? Problem(Config config)
    {
        string host = config.GetString("akka.remote.dot-netty.tcp.bind-hostname", "") is { Length: > 0 } bindHost ? bindHost : config.GetString("akka.remote.dot-netty.tcp.hostname");
        int port = config.GetInt("akka.remote.dot-netty.tcp.bind-port", 0) is > 0 and var bindPort ? bindPort : config.GetInt("akka.remote.dot-netty.tcp.port");
        IPAddress? address;
        try
        {
            address = ActorTrain.Cluster.Net.HostAddress.Resolve(host);
        }
        catch (Exception e) when (e is SocketException or ArgumentException) // ArgumentException: a name no resolver takes
        {
            address = null;
        }
        if (address is null) return ($"--host '{host}' is neither an IP address nor a name this machine resolves", true);
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen();
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return ($"--port {port}: {host}:{port} is in use (another node?); --port 0 picks a free one", false);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            return ($"--host {host}: {address} is not an address of this machine, and the node listens where other nodes reach it", true);
        }
        catch (SocketException e)
        {
            return ($"remoting cannot listen on {host}:{port}: {e.Message}", false);
        }
    }
}
