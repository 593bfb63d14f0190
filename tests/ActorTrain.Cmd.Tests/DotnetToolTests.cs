using ActorTrain.Processes;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Cmd.Tests;

/// <summary>`pbm` as operators install it: packed as a .NET tool, installed from that package, run against a node.</summary>
public sealed class DotnetToolTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-pbm-tool-");

    public void Dispose() => root.Dispose();

    [Fact]
    public async Task The_packed_tool_installs_and_talks_to_a_node()
    {
        string project = Path.Combine(RepositoryPaths.Root, "src", "ActorTrain.Cmd", "ActorTrain.Cmd.csproj");
        await ExternalCommand.RunAsync("dotnet", ["pack", project, "-c", "Release", "--no-restore", "-o", root.Combine("feed")], TimeSpan.FromMinutes(5));
        await ExternalCommand.RunAsync("dotnet", ["tool", "install", "--tool-path", root.Combine("tools"), "--add-source", root.Combine("feed"), "ActorTrain.Cmd"], TimeSpan.FromMinutes(2));

        await using var node = await OneNodeHost.StartAsync();
        var show = await ExternalCommand.RunForOutcomeAsync(root.Combine("tools", "pbm"), [node.Address, "cluster", "show"], TimeSpan.FromMinutes(1));
        Assert.True(show.ExitCode == 0, show.Output);
        Assert.Contains("Count: 1 nodes", show.Output);
        var unreachable = await ExternalCommand.RunForOutcomeAsync(root.Combine("tools", "pbm"), ["127.0.0.1:1", "cluster", "show"], TimeSpan.FromMinutes(1));
        Assert.Equal(3, unreachable.ExitCode);
        Assert.Contains("pbm: cannot reach 127.0.0.1:1", unreachable.Output);
    }
}
