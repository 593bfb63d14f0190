using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>`actortrain node` refuses what it cannot run, before it starts anything, naming the problem.</summary>
public sealed class NodeCommandTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-node-command-");

    public void Dispose() => root.Dispose();

    [Theory]
    [InlineData("--roles", "data,gpu", "unknown role 'gpu'")]
    [InlineData("--devices", "tpu:1", "unknown device kind 'tpu'")]
    [InlineData("--devices", "cpu:1,cuda:0", "--devices: cuda:0: this build trains on CPU slots only")]
    [InlineData("--seed", "localhost", "--seed 'localhost' is not HOST:PORT")]
    [InlineData("--port", "70000", "--port 70000 is not a port number")]
    [InlineData("--db", "mysql:x", "--db")]
    [InlineData("--config", "/no/such/profile.conf", "neither a profile (local, production, kubernetes) nor a file")]
    [InlineData("--config", "/", "--config '/': a directory, not a HOCON file")]
    // Where remoting would listen: found before the actor system starts (DotNetty's stack trace came first).
    [InlineData("--host", "no host!", "--host 'no host!' is neither an IP address nor a name this machine resolves")]
    [InlineData("--host", "192.0.2.7", "--host 192.0.2.7: 192.0.2.7 is not an address of this machine")]
    public async Task A_bad_option_is_a_usage_error_naming_it(string option, string value, string problem)
    {
        var outcome = await CommandLine.RunInProcessAsync("node", option, value, "--data-dir", root.Path);
        Assert.Equal(ActorTrainApp.UsageError, outcome.ExitCode);
        Assert.Contains(problem, outcome.Output);
    }

    [Fact]
    public async Task A_port_in_use_is_named_without_a_stack_trace()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var outcome = await CommandLine.RunInProcessAsync("node", "--port", port.ToString(), "--data-dir", root.Path, "--cmd-port", "0", "--metrics-port", "0");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains($"--port {port}: 127.0.0.1:{port} is in use (another node?); --port 0 picks a free one", outcome.Output);
        Assert.DoesNotContain("DotNetty", outcome.Output);
    }

    [Theory]
    [InlineData("akka.cluster { roles = [data\n", "broken.conf:1: '[' is never closed")]
    [InlineData("actortrain.training.step-timeout = soon\n", "actortrain.training.step-timeout 'soon' is not a duration")]
    // The journal comes from actortrain.persistence when --db is not given.
    [InlineData("actortrain.persistence.backend = postgres\n", "actortrain.persistence.backend = postgres needs actortrain.persistence.postgres.connection-string")]
    public async Task A_broken_configuration_file_fails_at_start_naming_what_is_wrong(string text, string problem)
    {
        string file = root.Combine("broken.conf");
        File.WriteAllText(file, text);
        var outcome = await CommandLine.RunInProcessAsync("node", "--config", file, "--data-dir", root.Path, "--port", "0");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains(problem, outcome.Output);
    }
}
