using ActorTrain.Chaos;
using ActorTrain.Data.Tokens;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly TemporaryDirectory root = new("actortrain-train-");

    public void Dispose() => root.Dispose();

    // Counting documents in a 64-token vocabulary, with a validation shard.
    private string Dataset()
    {
        string directory = root.Combine("dataset");
        Directory.CreateDirectory(directory);
        var random = new Random(4);
        var shards = new List<DatasetShard>();
        foreach (var (name, split, documents) in new[] { ("train.tokens", DatasetShard.Train, 120), ("validation.tokens", DatasetShard.Validation, 10) })
        {
            using var writer = new PackedShardWriter(Path.Combine(directory, name), 64, 50);
            for (int d = 0; d < documents; d++)
            {
                int start = random.Next(50);
                writer.AddDocument([.. Enumerable.Range(0, 300).Select(i => (start + i) % 50)]);
            }
            writer.Complete();
            shards.Add(new DatasetShard(name, split, writer.Tokens, writer.Documents, writer.Tokens * 3));
        }
        new DatasetIndex("synthetic", null, 64, 50, shards).Save(directory);
        return directory;
    }

    [Fact]
    public async Task A_diverging_run_fails_and_checkpoints_nothing_non_finite()
    {
        // --lr 1e30 used to end with exit 0 and a checkpoint of NaN parameters.
        string dataset = Dataset();
        string run = root.Combine("diverged");
        var diverged = await CommandLine.RunInProcessAsync("train", "--dataset", dataset, "--run", run, "--steps", "6", "--batch", "4",
            "--lr", "1e30", "--checkpoint-every", "1");
        Assert.Equal(1, diverged.ExitCode);
        Assert.Contains("training diverged", diverged.Output);
        string checkpoints = Path.Combine(run, "checkpoints");
        var saved = Directory.Exists(checkpoints) ? Directory.GetDirectories(checkpoints) : [];
        Assert.True(saved.Length < 6, diverged.Output);
        foreach (var directory in saved)
        {
            using var checkpoint = ActorTrain.Model.Checkpoint.Read(directory);
            Assert.All(checkpoint.Parameters.Values, tensor => Assert.True(TorchSharp.torch.isfinite(tensor).all().item<bool>(), directory));
        }
    }

    [Fact]
    public async Task Train_with_one_replica_writes_a_run_and_resumes_it_and_with_two_runs_on_the_cluster()
    {
        string dataset = Dataset();
        string run = root.Combine("single");
        var first = await CommandLine.RunInProcessAsync("train", "--dataset", dataset, "--run", run, "--steps", "6", "--batch", "4", "--eval-every", "3", "--checkpoint-every", "3");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(File.Exists(Path.Combine(run, "loss.png")));
        Assert.True(Directory.Exists(Path.Combine(run, "checkpoints", "step-0000006")));
        var again = await CommandLine.RunInProcessAsync("train", "--dataset", dataset, "--run", run, "--steps", "6", "--batch", "4", "--eval-every", "3", "--checkpoint-every", "3");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("resuming from", again.Output);
        Assert.Contains("step 6: validation loss ", again.Output); // nothing left to train: the run's loss all the same
        // Other settings are named one by one (the whole TrainingConfig record used to be printed), and refused.
        var other = await CommandLine.RunInProcessAsync("train", "--dataset", dataset, "--run", run, "--steps", "8", "--batch", "8", "--checkpoint-every", "3");
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("the run was started with other training settings (global_batch 4, asked 8; micro_batch 4, asked 8; steps 6, asked 8): " +
                        "the same settings resume it, a new run directory takes these", other.Output.Replace("\n", ""));

        // Without validation tokens the command says so, instead of a blank loss and a NaN baseline.
        string trainOnly = root.Combine("train-only");
        Directory.CreateDirectory(trainOnly);
        File.Copy(Path.Combine(dataset, "train.tokens"), Path.Combine(trainOnly, "train.tokens"));
        var index0 = DatasetIndex.Load(dataset);
        new DatasetIndex("synthetic", null, 64, 50, [.. index0.Split(DatasetShard.Train)]).Save(trainOnly);
        var unvalidated = await CommandLine.RunInProcessAsync("train", "--dataset", trainOnly, "--run", root.Combine("unvalidated"), "--steps", "2", "--batch", "4");
        Assert.True(unvalidated.ExitCode == 0, unvalidated.Output);
        Assert.Contains("step 2: no validation (the dataset has no validation tokens)", unvalidated.Output);

        // The dataset tokenized again with another tokenizer: the same ids mean other text, so the run does not go on.
        string index = Path.Combine(dataset, DatasetIndex.FileName), original = File.ReadAllText(index);
        File.WriteAllText(index, original.Replace("\"synthetic\"", "\"other-bpe\""));
        var retokenized = await CommandLine.RunInProcessAsync("train", "--dataset", dataset, "--run", run, "--steps", "6", "--batch", "4", "--eval-every", "3", "--checkpoint-every", "3");
        Assert.Equal(1, retokenized.ExitCode);
        Assert.True(retokenized.Output.Contains($"the run was trained on tokens of synthetic; the dataset {dataset} is of other-bpe"), retokenized.Output);
        File.WriteAllText(index, original);

        var cluster = await CommandLine.RunInProcessAsync("train", "--dataset", dataset, "--run", root.Combine("pair"), "--replicas", "2", "--steps", "4", "--batch", "4",
            "--checkpoint-every", "2", "--data-dir", root.Combine("node"));
        Assert.True(cluster.ExitCode == 0, cluster.Output);
        Assert.Contains("4 steps", cluster.Output);
        Assert.Contains("replicas [0, 1]", cluster.Output);

        // Another directory of the same last name is another run: refused, not followed as if it were that one.
        string namesake = root.Combine("elsewhere", "pair");
        var clash = await CommandLine.RunInProcessAsync("train", "--dataset", dataset, "--run", namesake, "--replicas", "2", "--steps", "4", "--batch", "4",
            "--data-dir", root.Combine("node"));
        Assert.Equal(1, clash.ExitCode);
        Assert.Contains($"run pair already exists with run directory {root.Combine("pair")}", clash.Output);
        Assert.False(Directory.Exists(Path.Combine(namesake, "checkpoints")));
    }

    [Fact]
    public async Task A_dataset_whose_tokenizer_file_changed_is_refused_and_one_without_it_trains_with_a_warning()
    {
        string dataset = Dataset(), tokenizer = root.Combine("tokenizer.json");
        File.WriteAllText(tokenizer, "{\"model\": \"as tokenized\"}");
        var index = DatasetIndex.Load(dataset);
        (index with { Tokenizer = tokenizer, TokenizerSha256 = ActorTrain.Model.Checkpoint.Sha256Of(tokenizer) }).Save(dataset);
        File.WriteAllText(tokenizer, "{\"model\": \"retrained\"}");
        string[] args = ["train", "--dataset", dataset, "--run", root.Combine("changed"), "--steps", "2", "--batch", "4", "--eval-every", "2"];
        var changed = await CommandLine.RunInProcessAsync(args);
        Assert.Equal(1, changed.ExitCode);
        Assert.Contains($"tokenizer {tokenizer} has changed since the dataset was tokenized (sha256 {ActorTrain.Model.Checkpoint.Sha256Of(tokenizer)}, dataset.json says ", changed.Output);
        Assert.False(Directory.Exists(Path.Combine(root.Combine("changed"), "checkpoints")));

        // Copied without its tokenizer: next-token training needs none, and says what will.
        File.Delete(tokenizer);
        var missing = await CommandLine.RunInProcessAsync(args);
        Assert.True(missing.ExitCode == 0, missing.Output);
        Assert.Contains($"the dataset's tokenizer {tokenizer} is not at hand: next-token training goes on without it, but `sample` will need it there", missing.Output);
    }

    [Fact]
    public async Task Ctrl_c_stops_a_training_run_with_a_checkpoint_of_the_step_it_reached()
    {
        string dataset = Dataset(), run = root.Combine("interrupted");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])[Path.Combine(AppContext.BaseDirectory, "actortrain.dll"), "train", "--dataset", dataset, "--run", run, "--steps", "100000",
                     "--batch", "4", "--eval-every", "100000", "--checkpoint-every", "100000"])
            start.ArgumentList.Add(arg);
        var output = new System.Text.StringBuilder();
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = System.Diagnostics.Process.Start(start)!;
        process.OutputDataReceived += (_, line) =>
        {
            lock (output) output.AppendLine(line.Data);
            if (line.Data?.Contains("training samples of", StringComparison.Ordinal) == true) reported.TrySetResult();
        };
        process.ErrorDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await reported.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(3000); // some steps, none of them checkpointed
            ActorTrain.Processes.ProcessSignals.Interrupt(process);
            using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60))) await process.WaitForExitAsync(exit.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        string text;
        lock (output) text = output.ToString();
        Assert.True(process.ExitCode == 130, text);
        var checkpoint = Assert.Single(Directory.GetDirectories(Path.Combine(run, "checkpoints")));
        Assert.Contains($"interrupted at step {int.Parse(Path.GetFileName(checkpoint)["step-".Length..])}: checkpoint {checkpoint}", text);
        ActorTrain.Model.Checkpoint.Read(checkpoint).Dispose();
    }

    [Fact]
    public async Task Bad_train_arguments_are_refused_with_the_reason()
    {
        var noDataset = await CommandLine.RunInProcessAsync("train", "--dataset", root.Combine("nope"), "--run", root.Combine("r"));
        Assert.Equal(ActorTrainApp.UsageError, noDataset.ExitCode);
        Assert.Contains("no such directory", noDataset.Output);
        // A file where a directory belongs is named as one, here and for sample's --checkpoint.
        string file = root.Combine("a-file");
        File.WriteAllText(file, "");
        var fileDataset = await CommandLine.RunInProcessAsync("train", "--dataset", file, "--run", root.Combine("r"));
        Assert.Equal(ActorTrainApp.UsageError, fileDataset.ExitCode);
        Assert.Contains($"--dataset {file}: a file, not a directory", fileDataset.Output);
        var fileCheckpoint = await CommandLine.RunInProcessAsync("sample", "--checkpoint", file, "--prompt", "a");
        Assert.Equal(ActorTrainApp.UsageError, fileCheckpoint.ExitCode);
        Assert.Contains($"--checkpoint {file}: a file, not a directory", fileCheckpoint.Output);
        var tooMany = await CommandLine.RunInProcessAsync("train", "--dataset", root.Path, "--run", root.Combine("r"), "--replicas", "9", "--batch", "4");
        Assert.Equal(ActorTrainApp.UsageError, tooMany.ExitCode);
        Assert.Contains("more than the batch", tooMany.Output);
        var notADataset = await CommandLine.RunInProcessAsync("train", "--dataset", root.Path, "--run", root.Combine("r"));
        Assert.Equal(1, notADataset.ExitCode);
        Assert.Contains("no dataset index", notADataset.Output);
        // On a cluster the replicas open the dataset where they run: the run says why none can, and the command stops.
        var notADatasetOnTheCluster = await CommandLine.RunInProcessAsync("train", "--dataset", root.Path, "--run", root.Combine("r"), "--replicas", "2", "--batch", "4",
            "--data-dir", root.Combine("node"));
        Assert.Equal(1, notADatasetOnTheCluster.ExitCode);
        Assert.Contains("training run r cannot go on: rank 0 cannot prepare its replica", notADatasetOnTheCluster.Output);
        Assert.Contains("no dataset index", notADatasetOnTheCluster.Output);
        // A failed run is stopped with the command: left running in the data directory's journal, it woke with the next
        // command there, and its replicas, refusing to prepare, held the CPU slots that command's run needed.
        string broken = root.Combine("broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, DatasetIndex.FileName), "{\"tokenizer\": ");
        // Real processes: the one that fails exits as an operator's would.
        var corrupt = await CommandLine.RunProcessAsync("train", "--dataset", broken, "--run", root.Combine("r2"), "--replicas", "2", "--batch", "2",
            "--data-dir", root.Combine("node2"));
        Assert.Equal(1, corrupt.ExitCode);
        Assert.Contains("training run r2 cannot go on", corrupt.Output);
        var next = await CommandLine.RunProcessAsync("train", "--dataset", Dataset(), "--run", root.Combine("after-r"), "--replicas", "2", "--steps", "2", "--batch", "4",
            "--data-dir", root.Combine("node2"));
        Assert.True(next.ExitCode == 0, next.Output);
        Assert.Contains("run after-r: 2 steps, last loss", next.Output);
        Assert.Contains("on replicas [0, 1]", next.Output);
        Assert.DoesNotContain("r2", next.Output);
        var detachedAlone = await CommandLine.RunInProcessAsync("train", "--dataset", root.Path, "--run", root.Combine("r"), "--detach");
        Assert.Equal(ActorTrainApp.UsageError, detachedAlone.ExitCode);
        Assert.Contains("--detach needs --cluster", detachedAlone.Output);
        // A typo of a preset, and options the cluster path would take and ignore, are refused before anything is journaled.
        var typo = await CommandLine.RunInProcessAsync("train", "--dataset", root.Path, "--run", root.Combine("r"), "--preset", "tinny");
        Assert.Equal(ActorTrainApp.UsageError, typo.ExitCode);
        Assert.Contains("--preset: unknown model preset 'tinny'", typo.Output);
        var ignored = await CommandLine.RunInProcessAsync("train", "--dataset", root.Path, "--run", root.Combine("r"), "--replicas", "2", "--batch", "4", "--attention", "naive");
        Assert.Equal(ActorTrainApp.UsageError, ignored.ExitCode);
        Assert.Contains("--attention, --eval-every and --threads apply to one replica only", ignored.Output);
        var endless = await CommandLine.RunInProcessAsync("train", "--dataset", root.Path, "--run", root.Combine("r"), "--lr", "Infinity");
        Assert.Equal(ActorTrainApp.UsageError, endless.ExitCode);
        Assert.Contains("--lr must be a positive number", endless.Output);
        // Each torch thread is a native one: a mistyped count once exhausted the host's threads.
        var threads = await CommandLine.RunInProcessAsync("train", "--dataset", root.Path, "--run", root.Combine("r"), "--threads", "100000");
        Assert.Equal(ActorTrainApp.UsageError, threads.ExitCode);
        Assert.Contains("--threads 100000 is more than", threads.Output);
    }

    [Fact]
    public async Task A_cluster_that_does_not_answer_fails_within_the_timeout_naming_the_address()
    {
        string dataset = ActorTrain.Testing.CountingDataset.Write(root.Combine("counting"));
        int port = NodeProcess.FreePort();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcome = await CommandLine.RunInProcessAsync("train", "--cluster", $"127.0.0.1:{port}", "--timeout", "3", "--dataset", dataset, "--run", root.Combine("r"), "--replicas", "2");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains($"no answer from the cluster at 127.0.0.1:{port} within 3s", outcome.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        var badAddress = await CommandLine.RunInProcessAsync("train", "--cluster", "nowhere", "--dataset", dataset, "--run", root.Combine("r"));
        Assert.Equal(1, badAddress.ExitCode);
        Assert.Contains("'nowhere' is not HOST:PORT", badAddress.Output);
    }
}
