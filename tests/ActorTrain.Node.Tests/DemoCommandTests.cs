using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>In the collection of the process and chaos tests: the demo trains against a 60 s answer deadline,
/// which four node processes beside it on 2 cores can starve.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DemoCommandTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-demo-");

    public void Dispose() => root.Dispose();

    [Fact]
    public async Task The_demo_ingests_trains_and_reports_and_a_second_run_reuses_the_ingested_data()
    {
        string corpus = root.Combine("corpus");
        Directory.CreateDirectory(corpus);
        var random = new Random(11);
        string[] words = ["river", "mountain", "garden", "window", "teacher", "market", "evening", "letter", "village", "harbour", "quiet", "opens", "follows", "keeps"];
        string Word() => words[random.Next(words.Length)] + (char)('a' + random.Next(26));
        for (int f = 0; f < 60; f++)
        {
            var paragraphs = Enumerable.Range(0, 10).Select(_ => string.Join(' ', Enumerable.Range(0, 5).Select(_ =>
                "The " + string.Join(' ', Enumerable.Range(0, 9).Select(_ => Word())) + " of the end.")));
            File.WriteAllText(Path.Combine(corpus, $"story-{f}.txt"), string.Join("\n\n", paragraphs));
        }
        string dataDir = root.Combine("data");
        string[] args = ["demo", "--source", corpus, "--data-dir", dataDir, "--vocabulary", "600"];

        // A fixed step count: on a loaded machine a one-minute budget may leave time for a handful of steps only (seen in CI: 6).
        var first = await CommandLine.RunInProcessAsync([.. args, "--minutes", "1", "--steps", "40"]);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("unigram baseline", first.Output);
        string run = Directory.GetDirectories(Path.Combine(dataDir, "runs")).Single();
        foreach (string file in new[] { "metrics.jsonl", "loss.png", "samples.txt" }) Assert.True(File.Exists(Path.Combine(run, file)), $"{file} in {run}");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "tensorboard")));
        Assert.Contains(Directory.GetDirectories(Path.Combine(run, "checkpoints")), d => File.Exists(Path.Combine(d, "COMPLETE")));
        var records = ActorTrain.Model.MetricsLog.Read(Path.Combine(run, "metrics.jsonl")).ToArray();
        Assert.Equal(40.0, records[^1]["step"]);
        Assert.True(records[^1]["train/loss"] < records[0]["train/loss"] - 1, $"loss {records[0]["train/loss"]} -> {records[^1]["train/loss"]}");
        Assert.All(records, r => Assert.Equal(2, r["train/replicas"])); // the cluster path: two replicas in lockstep

        var sample = await CommandLine.RunInProcessAsync("sample", "--checkpoint", run, "--prompt", "The river", "--max-tokens", "8", "--seed", "3");
        Assert.True(sample.ExitCode == 0, sample.Output);
        Assert.StartsWith("The river", sample.Output.Trim());
        Assert.Equal(sample.Output, (await CommandLine.RunInProcessAsync("sample", "--checkpoint", run, "--prompt", "The river", "--max-tokens", "8", "--seed", "3")).Output);

        var second = await CommandLine.RunInProcessAsync([.. args, "--minutes", "0.5"]);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("already ingested", second.Output);
    }

    [Fact]
    public async Task Bad_demo_and_sample_arguments_are_refused_with_the_reason()
    {
        var missing = await CommandLine.RunInProcessAsync("demo", "--source", root.Combine("nope"));
        Assert.Equal(ActorTrainApp.UsageError, missing.ExitCode);
        Assert.Contains("no such file or directory", missing.Output);
        var zeroSteps = await CommandLine.RunInProcessAsync("demo", "--steps", "0");
        Assert.Equal(ActorTrainApp.UsageError, zeroSteps.ExitCode);
        Assert.Contains("--steps must be positive", zeroSteps.Output);
        // NaN passes every comparison that refuses: each check says what is allowed.
        var nanMinutes = await CommandLine.RunInProcessAsync("demo", "--minutes", "NaN");
        Assert.Equal(ActorTrainApp.UsageError, nanMinutes.ExitCode);
        Assert.Contains("--minutes must be in (0, 1440]", nanMinutes.Output);
        var nanTemperature = await CommandLine.RunInProcessAsync("sample", "--checkpoint", root.Path, "--prompt", "a", "--temperature", "NaN");
        Assert.Equal(ActorTrainApp.UsageError, nanTemperature.ExitCode);
        var nanFraction = await CommandLine.RunInProcessAsync("ingest", "--source", root.Path, "--job", "x", "--validation-fraction", "NaN");
        Assert.Equal(ActorTrainApp.UsageError, nanFraction.ExitCode);
        Assert.Contains("--validation-fraction must be in [0, 1)", nanFraction.Output);
        var both = await CommandLine.RunInProcessAsync("sample", "--checkpoint", root.Path, "--prompt", "a", "--fill", "b [MASK]");
        Assert.Equal(ActorTrainApp.UsageError, both.ExitCode);
        Assert.Contains("exactly one of --prompt and --fill", both.Output);
        var empty = await CommandLine.RunInProcessAsync("sample", "--checkpoint", root.Path, "--prompt", "a");
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("no checkpoint", empty.Output);
    }
}
