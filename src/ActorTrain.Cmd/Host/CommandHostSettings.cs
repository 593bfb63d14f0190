using System.Net;
using Akka.Configuration;

namespace ActorTrain.Cmd.Host;

/// <summary>actortrain.cmd: where the command host listens and the token clients must present.</summary>
public sealed record CommandHostSettings(IPAddress Host, int Port, string? Token)
{
    /// <exception cref="ConfigurationException">A host that is not an address, a bad port, an unreadable token file,
    /// or a non-loopback address without a token (anyone on the network could drive the cluster).</exception>
    public static CommandHostSettings From(Config config)
    {
        var section = config.GetConfig("actortrain.cmd") ?? throw new ConfigurationException("actortrain.cmd is missing");
        string host = section.GetString("host");
        if (!IPAddress.TryParse(host, out var address)) throw new ConfigurationException($"actortrain.cmd.host '{host}' is not an IP address");
        int port = section.GetInt("port");
        if (port is < 0 or > 65535) throw new ConfigurationException($"actortrain.cmd.port {port} is not a port number (0 picks a free one)");
        string? token = section.GetString("token", "");
        string tokenFile = section.GetString("token-file", "");
        if (string.IsNullOrEmpty(token) && !string.IsNullOrEmpty(tokenFile))
        {
            try
            {
                token = File.ReadAllText(tokenFile).Trim();
            }
            catch (IOException e)
            {
                throw new ConfigurationException($"actortrain.cmd.token-file '{tokenFile}': {e.Message}");
            }
        }
        if (string.IsNullOrEmpty(token)) token = null;
        if (token is null && !IPAddress.IsLoopback(address))
            throw new ConfigurationException($"actortrain.cmd.host {host} is not loopback: set actortrain.cmd.token (or token-file) so that only operators can connect");
        return new CommandHostSettings(address, port, token);
    }
}
