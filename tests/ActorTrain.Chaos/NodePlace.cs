namespace ActorTrain.Chaos;

/// <summary>Where a node process runs: the address it listens on and gives its peers, and the command
/// its start is prefixed with (<c>ip netns exec NAME</c> for a network namespace of its own).</summary>
public sealed record NodePlace(string Host, IReadOnlyList<string> Prefix)
{
    public static readonly NodePlace Loopback = new("127.0.0.1", []);
}
