using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>Help, and the lines commands end with when they fail on bad input.</summary>
public sealed class CommandFailureTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-failures-");

    public void Dispose() => root.Dispose();

    [Fact]
    public async Task Help_lists_the_commands_and_shows_the_mask_token_as_text()
    {
        // "[MASK]" is Spectre markup unless escaped: help used to end with "Could not find color or style 'MASK'" and exit 1.
        var help = await CommandLine.RunInProcessAsync("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("sample", help.Output);
        Assert.DoesNotContain("Could not find color", help.Output);
        var sample = await CommandLine.RunInProcessAsync("sample", "--help");
        Assert.Equal(0, sample.ExitCode);
        Assert.Contains("[MASK]", sample.Output);
    }

    [Fact]
    public void A_wrapped_bind_failure_is_said_once_with_its_cause()
    {
        var bind = new InvalidOperationException("Failed to bind to [127.0.0.1:4053]. See InnerException for details.",
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.AddressAlreadyInUse));
        var wrapped = new AggregateException(new AggregateException(new AggregateException(bind)));
        Assert.Equal($"Failed to bind to [127.0.0.1:4053]: {new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.AddressAlreadyInUse).Message}",
            FailureMessage.Of(wrapped));
        Assert.Equal("plain", FailureMessage.Of(new IOException("plain")));
    }

    [Fact]
    public async Task A_value_an_option_cannot_take_is_named_with_the_option_and_what_it_takes()
    {
        // Spectre said "Failed to convert 'bar' to Nullable`1" and "Failed to convert '-1' to UInt64", naming no option.
        string dataset = root.Combine("dataset");
        Directory.CreateDirectory(dataset);
        var attention = await CommandLine.RunInProcessAsync("train", "--dataset", dataset, "--run", root.Combine("r"), "--attention", "bar");
        Assert.Equal(2, attention.ExitCode);
        Assert.Contains("--attention: 'bar' is not one of fused, sdpa or naive", attention.Output);
        var steps = await CommandLine.RunInProcessAsync("train", "--dataset", dataset, "--run", root.Combine("r"), "--steps=99999999999");
        Assert.Equal(2, steps.ExitCode);
        Assert.Contains("--steps: '99999999999' is not a whole number from -2147483648 to 2147483647", steps.Output);
        var seed = await CommandLine.RunInProcessAsync("train", "--dataset", dataset, "--run", root.Combine("r"), "--seed", "-1");
        Assert.Equal(2, seed.ExitCode);
        Assert.Contains("--seed: '-1' is not a whole number from 0 to 18446744073709551615", seed.Output);
        Assert.Null(OptionValueFailure.Describe("some other failure", ["--seed", "-1"]));
    }

    [Fact]
    public async Task A_journal_path_that_holds_something_else_is_named_and_left_alone()
    {
        string text = root.Combine("notes.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("not a database, only notes\n", 200)));
        var info = await CommandLine.RunInProcessAsync("info", "--db", $"sqlite:{text}", "--data-dir", root.Combine("data"));
        Assert.Equal(1, info.ExitCode);
        Assert.Contains($"journal sqlite:{text} is not a SQLite database", info.Output);
        Assert.Equal(string.Concat(Enumerable.Repeat("not a database, only notes\n", 200)), File.ReadAllText(text));

        // ingest keeps its journal in its data directory: the same file there is refused before any node starts.
        string data = root.Combine("ingest-data");
        Directory.CreateDirectory(data);
        File.Copy(text, Path.Combine(data, "actortrain.db"));
        string source = root.Combine("source");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "a.txt"), "A sentence of text that an ingest would read.\n");
        var ingest = await CommandLine.RunInProcessAsync("ingest", "--source", source, "--job", "j", "--data-dir", data);
        Assert.Equal(1, ingest.ExitCode);
        Assert.Contains("is not a SQLite database", ingest.Output);
    }

    [Fact]
    public async Task An_ingest_of_more_shards_than_a_job_may_have_is_refused()
    {
        var wide = await CommandLine.RunInProcessAsync("ingest", "--source", root.Path, "--job", "wide", "--shards", "100000", "--data-dir", root.Combine("data"));
        Assert.Equal(ActorTrainApp.UsageError, wide.ExitCode);
        Assert.Contains("--shards must be between 1 and 1024 (got 100000)", wide.Output);
        Assert.False(Directory.Exists(root.Combine("data/jobs/wide")));
    }
}
