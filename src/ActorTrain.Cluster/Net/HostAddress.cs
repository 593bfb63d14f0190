using System.Net;
using System.Net.Sockets;

namespace ActorTrain.Cluster.Net;

/// <summary>A host given in configuration or on the command line, as the address a node binds and peers reach.</summary>
public static class HostAddress
{
    /// <summary>The host as an IP address, or the first address its name resolves to, IPv4 first (a container's name, as
    /// compose names its services, often resolves to both, and peers on IPv4 networks reach only that one).</summary>
    /// <returns>Null when the name resolves to no address.</returns>
    /// <exception cref="SocketException">The name does not resolve.</exception>
    public static IPAddress? Resolve(string host) =>
        IPAddress.TryParse(host, out var address) ? address
        : string.IsNullOrWhiteSpace(host) ? null
        : Dns.GetHostAddresses(host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault();
}
