using ActorTrain.Chaos;
using ActorTrain.Cmd.Client;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>`pbm` run in this process against a node's command host, its output and errors captured.</summary>
internal static class PbmCommand
{
    public static async Task<(int Code, string Output, string Errors)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int code = await PbmApp.RunAsync(args, new StringReader(""), output, errors, CancellationToken.None);
        return (code, output.ToString(), errors.ToString());
    }

    /// <summary>Runs a command that must succeed; its output.</summary>
    public static async Task<string> OkAsync(params string[] args)
    {
        var (code, output, errors) = await RunAsync(args);
        Assert.True(code == 0, $"pbm {string.Join(' ', args)} exited {code}: {errors}");
        return output;
    }

    /// <summary>
    /// `cluster show` once <paramref name="members"/> members are up and reachable in the contact's own view: a node
    /// reports itself Up before every other member has heard it from the leader's gossip.
    /// </summary>
    public static Task<string> ShowWhenUpAsync(string pbm, int members) =>
        Eventually.Until(() => OkAsync(pbm, "cluster", "show"),
            show => show.Split('\n').Count(l => l.Contains(" | up |  | ", StringComparison.Ordinal)) == members && show.Contains($"Count: {members} nodes", StringComparison.Ordinal),
            ProcessCluster.Patience, $"{members} members up and reachable", TimeSpan.FromMilliseconds(250));
}
