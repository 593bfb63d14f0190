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
    public async Task A_bad_option_is_a_usage_error_naming_it(string option, string value, string problem)
    {
        var outcome = await CommandLine.RunInProcessAsync("node", option, value, "--data-dir", root.Path);
        Assert.Equal(ActorTrainApp.UsageError, outcome.ExitCode);
        Assert.Contains(problem, outcome.Output);
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
