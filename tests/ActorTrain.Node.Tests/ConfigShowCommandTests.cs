using ActorTrain.Processes;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

public sealed class ConfigShowCommandTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-config-show-");

    public void Dispose() => root.Dispose();

    [Fact]
    public async Task Config_show_prints_the_layers_and_refuses_a_misspelt_key_with_its_line()
    {
        string ops = root.Combine("ops.conf");
        File.WriteAllText(ops, "actortrain.training.prepare-timeout = 7s\n");
        var shown = await CommandLine.RunInProcessAsync("config", "show", "--config", ops, "--config", "local");
        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("prepare-timeout : 7s", shown.Output);       // the file wins over the profile
        Assert.Contains("assemble-timeout : 30s", shown.Output);     // the local profile over the reference
        Assert.Contains("stable-after : 5s", shown.Output);

        string typo = root.Combine("typo.conf");
        File.WriteAllText(typo, "actortrain {\n  training {\n    step-timout = 3s\n  }\n}\n");
        var refused = await CommandLine.RunInProcessAsync("config", "show", "--config", typo);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"{typo}:3: unknown key actortrain.training.step-timout (did you mean actortrain.training.step-timeout?)", refused.Output);

        // A directory is named as one (it was "Access to the path is denied"), bytes that are not UTF-8 by line.
        var directory = await CommandLine.RunInProcessAsync("config", "show", "--config", root.Path);
        Assert.Equal(ActorTrainApp.UsageError, directory.ExitCode);
        Assert.Contains($"--config '{root.Path}': a directory, not a HOCON file", directory.Output);
        string latin1 = root.Combine("latin1.conf");
        File.WriteAllBytes(latin1, [.. "actortrain.node.data-dir = \"/srv/donn"u8, 0xE9, .. "es\"\n"u8]);
        var notUtf8 = await CommandLine.RunInProcessAsync("config", "show", "--config", latin1);
        Assert.Equal(1, notUtf8.ExitCode);
        Assert.Contains($"{latin1}:1: not UTF-8 (byte 0xE9 at offset 37)", notUtf8.Output);
    }

    [Fact]
    public async Task Config_show_hides_the_pbm_token_and_the_journals_password()
    {
        string secrets = root.Combine("secrets.conf");
        File.WriteAllText(secrets, """
            actortrain.cmd.token = "t0ken-s3cret"
            actortrain.persistence.postgres.connection-string = "Host=db;Username=at;Password=pa55-s3cret;Database=at"
            """);
        var shown = await CommandLine.RunInProcessAsync("config", "show", "--config", secrets);
        Assert.Equal(0, shown.ExitCode);
        Assert.DoesNotContain("s3cret", shown.Output);
        Assert.Contains("Host=db", shown.Output);
        Assert.Contains("Password=***", shown.Output);
    }

    [Fact]
    public async Task An_environment_variable_overrides_the_files_and_a_bad_value_is_named()
    {
        var shown = await CommandLine.RunProcessAsync("config", "show", "--config", "production");
        Assert.Contains("step-timeout : 2m", shown.Output);
        var overridden = await ExternalCommand.RunForOutcomeAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "actortrain.dll"), "config", "show"],
            TimeSpan.FromMinutes(1), env => env["ACTORTRAIN__TRAINING__STEP_TIMEOUT"] = "45s");
        Assert.Contains("step-timeout : 45s", overridden.Output);
        var bad = await ExternalCommand.RunForOutcomeAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "actortrain.dll"), "config", "show"],
            TimeSpan.FromMinutes(1), env => env["ACTORTRAIN__TRAINING__STEP_TIMEOUT"] = "soon");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("actortrain.training.step-timeout 'soon' is not a duration", bad.Output);
    }
}
