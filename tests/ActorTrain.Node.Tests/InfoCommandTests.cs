using System.Text.Json;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

[Collection(PostgresCollection.Name)]
public sealed class InfoCommandTests(PostgresFixture postgres) : IDisposable
{
    private readonly TemporaryDirectory scratch = new("actortrain-info-");

    public void Dispose() => scratch.Dispose();

    [Fact]
    public async Task Info_json_reports_torchsharp_the_native_isa_and_a_working_sqlite_journal()
    {
        var (exitCode, output) = await CommandLine.RunInProcessAsync("info", "--json", "--data-dir", scratch.Path);

        Assert.True(exitCode == 0, output);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal("0.107.0", root.GetProperty("torch").GetProperty("torchsharp").GetString());
        Assert.StartsWith("2.10", root.GetProperty("torch").GetProperty("libtorch").GetString());
        Assert.True(root.GetProperty("torch").GetProperty("threads").GetInt32() >= 1);
        Assert.Contains(root.GetProperty("native").GetProperty("isa").GetString(), new[] { "scalar", "avx2", "avx512", "amx" });
        Assert.EndsWith("libactortrain_native.so", root.GetProperty("native").GetProperty("path").GetString());
        var journal = root.GetProperty("journal");
        Assert.Equal("sqlite", journal.GetProperty("backend").GetString());
        Assert.True(journal.GetProperty("ok").GetBoolean());
        Assert.Equal($"sqlite:{scratch}/actortrain.db", journal.GetProperty("target").GetString());
        Assert.True(File.Exists(scratch.Combine("actortrain.db")));

        // The journal a node with the same --config would use.
        string config = scratch.Combine("journal.conf"), elsewhere = scratch.Combine("elsewhere.db");
        File.WriteAllText(config, $"actortrain.persistence.sqlite.path = \"{elsewhere}\"\n");
        var (configuredExit, configured) = await CommandLine.RunInProcessAsync("info", "--json", "--config", config, "--data-dir", scratch.Path);
        Assert.True(configuredExit == 0, configured);
        using var configuredJson = JsonDocument.Parse(configured);
        Assert.Equal($"sqlite:{elsewhere}", configuredJson.RootElement.GetProperty("journal").GetProperty("target").GetString());
    }

    [Fact]
    public async Task Info_table_names_every_piece()
    {
        var (exitCode, output) = await CommandLine.RunInProcessAsync("info", "--db", $"sqlite:{scratch}/table.db");

        Assert.True(exitCode == 0, output);
        foreach (string piece in new[] { "ActorTrain", ".NET", "Akka.NET", "TorchSharp", "Torch threads", "Native library", "CPU ISA", "Journal" })
            Assert.Contains(piece, output);
        Assert.Contains("write and read OK", output);
    }

    [PostgresFact]
    public async Task Info_checks_a_postgres_journal_with_a_real_write_and_read()
    {
        string connectionString = await postgres.NewDatabaseAsync();
        var (exitCode, output) = await CommandLine.RunInProcessAsync("info", "--json", "--db", $"postgres:{connectionString}");

        Assert.True(exitCode == 0, output);
        var journal = JsonDocument.Parse(output).RootElement.GetProperty("journal");
        Assert.Equal("postgres", journal.GetProperty("backend").GetString());
        Assert.True(journal.GetProperty("ok").GetBoolean(), journal.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Unreachable_postgres_exits_non_zero_with_a_message_about_the_database_and_no_stack_trace()
    {
        var (exitCode, output) = await CommandLine.RunProcessAsync("info", "--db", "postgres:Host=127.0.0.1;Port=1");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("cannot connect to PostgreSQL at 127.0.0.1:1", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Exception", output);
    }

    [Theory]
    [InlineData("info --db mysql:Server=x", "--db: 'mysql:...' names no journal")]
    [InlineData("info --timeout 0", "--timeout must be a positive number")]
    [InlineData("info --colour", "Unknown option 'colour'")]
    [InlineData("infoo", "Unknown command 'infoo'")]
    public async Task Command_line_mistakes_exit_with_the_usage_code_and_say_what_was_wrong(string commandLine, string expected)
    {
        var (exitCode, output) = await CommandLine.RunInProcessAsync(commandLine.Split(' '));

        Assert.Equal(ActorTrainApp.UsageError, exitCode);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("   at ", output);
    }
}
