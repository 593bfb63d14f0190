using ActorTrain.Model;
using ActorTrain.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Model.Tests;

public sealed class TrainingTests : IDisposable
{
    private readonly SyntheticDataset data = new();

    public void Dispose() => data.Dispose();

    private ReplicaTrainer Trainer(Objective objective, int steps = 40) =>
        new(new Gpt(SyntheticDataset.Model(), seed: 11), TrainingConfig.Default(objective, steps) with { GlobalBatch = 8, MicroBatch = 4 }, data.Batches(objective));

    private long[] Samples(long step, int batch = 8) => [.. Enumerable.Range(0, batch).Select(i => (step * batch + i) % data.Samples.Count)];

    [Theory]
    [InlineData(Objective.Causal, 0.3)]
    [InlineData(Objective.Mlm, 0.85)] // 15% of positions carry a loss: it learns more slowly
    [InlineData(Objective.Span, 0.6)]
    public void A_short_run_lowers_the_loss(Objective objective, double ratio)
    {
        using var scope = NewDisposeScope();
        using var trainer = Trainer(objective, steps: 150);
        var losses = Enumerable.Range(0, 150).Select(step => trainer.Step(Samples(step)).Loss).ToArray();
        Assert.True(losses[^5..].Average() < ratio * losses[..5].Average(), $"{objective}: {losses[..5].Average():0.000} -> {losses[^5..].Average():0.000}");
    }

    [Fact]
    public void The_same_config_and_seed_give_the_same_losses_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        double[] Run()
        {
            using var trainer = Trainer(Objective.Causal);
            return [.. Enumerable.Range(0, 8).Select(step => trainer.Step(Samples(step)).Loss)];
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Save_load_and_continue_is_bit_identical_to_an_uninterrupted_run()
    {
        using var scope = NewDisposeScope();
        using var run = new TemporaryDirectory("checkpoint");
        using var straight = Trainer(Objective.Mlm, steps: 12);
        var expected = Enumerable.Range(0, 12).Select(step => straight.Step(Samples(step)).Loss).ToArray();

        using (var first = Trainer(Objective.Mlm, steps: 12))
        {
            for (int step = 0; step < 5; step++) first.Step(Samples(step));
            Checkpoint.Save(run.Path, first, consumedSamples: 5 * 8, "synthetic", null, data.Path);
        }
        using var resumed = Trainer(Objective.Mlm, steps: 12);
        using (var checkpoint = Checkpoint.ReadLatest(run.Path, warning => Assert.Fail(warning))!)
        {
            Assert.Equal(40, checkpoint.Metadata.ConsumedSamples);
            checkpoint.Restore(resumed);
        }
        var continued = Enumerable.Range(5, 7).Select(step => resumed.Step(Samples(step)).Loss).ToArray();
        Assert.Equal(expected[5..], continued);
        Assert.All(straight.Model.parameters().Zip(resumed.Model.parameters()), p => Assert.True(p.First.eq(p.Second).all().item<bool>()));
    }

    [Fact]
    public void A_truncated_or_bit_flipped_checkpoint_is_refused_and_the_previous_one_used()
    {
        using var scope = NewDisposeScope();
        using var run = new TemporaryDirectory("checkpoint");
        using var trainer = Trainer(Objective.Causal);
        trainer.Step(Samples(0));
        string good = Checkpoint.Save(run.Path, trainer, 8, "synthetic", null, data.Path);
        trainer.Step(Samples(1));
        string flipped = Checkpoint.Save(run.Path, trainer, 16, "synthetic", null, data.Path);
        trainer.Step(Samples(2));
        string truncated = Checkpoint.Save(run.Path, trainer, 24, "synthetic", null, data.Path);

        string model = Path.Combine(flipped, "model.safetensors");
        var bytes = File.ReadAllBytes(model);
        bytes[^10] ^= 0x01;
        File.WriteAllBytes(model, bytes);
        string optimizer = Path.Combine(truncated, "optimizer.safetensors");
        File.WriteAllBytes(optimizer, File.ReadAllBytes(optimizer)[..1000]);

        Assert.Contains("model.safetensors has sha256", Assert.Throws<InvalidDataException>(() => Checkpoint.Read(flipped)).Message);
        Assert.Contains("optimizer.safetensors has sha256", Assert.Throws<InvalidDataException>(() => Checkpoint.Read(truncated)).Message);
        var warnings = new List<string>();
        using var latest = Checkpoint.ReadLatest(run.Path, warnings.Add)!;
        Assert.Equal(good, latest.Directory);
        Assert.Equal(2, warnings.Count);
        Assert.Contains(truncated, warnings[0]);

        using var other = new ReplicaTrainer(new Gpt(SyntheticDataset.Model() with { Layers = 3 }, 1), trainer.Config, data.Batches(Objective.Causal));
        Assert.Contains("checkpoint is vocab 64, context 32, 2 layers", Assert.Throws<InvalidDataException>(() => latest.Restore(other)).Message);

        // A metadata.json that leaves the optimizer out of its checksums is refused (the file would be read unchecked).
        var metadata = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(flipped, "metadata.json")))!;
        metadata["files"]!.AsObject().Remove("optimizer.safetensors");
        File.WriteAllText(Path.Combine(good, "metadata.json"), metadata.ToJsonString());
        Assert.Contains("lists no sha256 for optimizer.safetensors", Assert.Throws<InvalidDataException>(() => Checkpoint.Read(good)).Message);
        // Newest first by step, not by name: step 10 000 000 is tried before step 9 999 999.
        Directory.CreateDirectory(Checkpoint.DirectoryFor(run.Path, 9_999_999));
        Directory.CreateDirectory(Checkpoint.DirectoryFor(run.Path, 10_000_000));
        var skipped = new List<string>();
        Assert.Null(Checkpoint.ReadLatest(run.Path, skipped.Add));
        Assert.Contains("step-10000000", skipped[0]);
        Assert.Contains("step-9999999", skipped[1]);
    }

    [Fact]
    public void A_checkpoint_saved_over_its_step_keeps_the_old_one_until_the_new_one_has_its_name()
    {
        using var scope = NewDisposeScope();
        using var run = new TemporaryDirectory("checkpoint");
        using var trainer = Trainer(Objective.Causal);
        trainer.Step(Samples(0));
        string first = Checkpoint.Save(run.Path, trainer, 8, "synthetic", null, data.Path);
        string again = Checkpoint.Save(run.Path, trainer, 16, "synthetic", null, data.Path);
        Assert.Equal(first, again);
        using (var saved = Checkpoint.Read(again)) Assert.Equal(16, saved.Metadata.ConsumedSamples);
        Assert.Equal([again], Directory.GetDirectories(Path.GetDirectoryName(again)!));

        // A crash after the old one was moved aside and before the new one was renamed: the old one comes back.
        Directory.Move(again, again + ".replaced");
        Directory.CreateDirectory(again + ".partial");
        using var latest = Checkpoint.ReadLatest(run.Path, warning => Assert.Fail(warning))!;
        Assert.Equal(again, latest.Directory);
        Assert.Equal(16, latest.Metadata.ConsumedSamples);
        Assert.False(Directory.Exists(again + ".replaced"));
    }

    [Fact]
    public void Two_runs_in_one_directory_are_refused_while_the_first_trains()
    {
        using var runs = new TemporaryDirectory("locked");
        var options = new TrainingRunOptions(data.Path, runs.Combine("shared"), SyntheticDataset.Model(), TrainingConfig.Default(Objective.Causal, 4) with { GlobalBatch = 8, MicroBatch = 8 },
            EvaluateEvery: 1000, CheckpointEvery: 2, ValidationSamples: 0);
        using (var first = TrainingRun.Open(options, warning => Assert.Fail(warning)))
        {
            first.TrainStep();
            var error = Assert.Throws<IOException>(() => TrainingRun.Open(options with { Training = options.Training with { Seed = 2 } }, warning => Assert.Fail(warning)));
            Assert.Contains($"run directory {options.RunDirectory} is in use by another training process", error.Message);
            first.TrainStep();
            first.SaveCheckpoint();
        }
        // Once the first has ended, the directory is free: the same run resumes from its checkpoint.
        using var resumed = TrainingRun.Open(options, warning => Assert.Fail(warning));
        Assert.Equal(2, resumed.Trainer.Optimizer.Steps);
    }

    [Fact]
    public void A_file_in_the_way_of_the_run_directory_is_refused_before_a_step()
    {
        // Both used to train every step and then fail at the first checkpoint with "Could not find a part of the path".
        using var runs = new TemporaryDirectory("in-the-way");
        File.WriteAllText(runs.Combine("notes"), "a file, not a directory");
        TrainingRunOptions Options(string run) => new(data.Path, run, SyntheticDataset.Model(),
            TrainingConfig.Default(Objective.Causal, 2) with { GlobalBatch = 8, MicroBatch = 8 }, EvaluateEvery: 1000, CheckpointEvery: 1, ValidationSamples: 0);
        var under = Assert.Throws<InvalidDataException>(() => TrainingRun.Open(Options(runs.Combine("notes/run")), warning => Assert.Fail(warning)));
        Assert.Contains($"cannot be created: {runs.Combine("notes")} is a file", under.Message);

        Directory.CreateDirectory(runs.Combine("run"));
        File.WriteAllText(runs.Combine("run/checkpoints"), "a file");
        var blocked = Assert.Throws<InvalidDataException>(() => TrainingRun.Open(Options(runs.Combine("run")), warning => Assert.Fail(warning)));
        Assert.Contains($"{runs.Combine("run/checkpoints")} is a file, where a run keeps its checkpoints", blocked.Message);
        Assert.Equal("a file", File.ReadAllText(runs.Combine("run/checkpoints")));
    }

    [Fact]
    public void A_run_checkpointed_before_stream_derivations_existed_resumes_with_its_own_sample_order()
    {
        using var runs = new TemporaryDirectory("derivation");
        var old = TrainingConfig.Default(Objective.Causal, 6) with { GlobalBatch = 8, MicroBatch = 8, StreamDerivation = Data.Sampling.StreamDerivation.XoredKeys };
        TrainingRunOptions Options(string name, TrainingConfig training) =>
            new(data.Path, runs.Combine(name), SyntheticDataset.Model(), training, EvaluateEvery: 1000, CheckpointEvery: 1000, ValidationSamples: 0);
        double[] straight;
        using (var run = TrainingRun.Open(Options("straight", old), warning => Assert.Fail(warning)))
            straight = [.. Enumerable.Range(0, 6).Select(_ => run.TrainStep().Result.Loss)];

        using (var run = TrainingRun.Open(Options("resumed", old), warning => Assert.Fail(warning)))
        {
            for (int step = 0; step < 3; step++) run.TrainStep();
            string metadata = Path.Combine(run.SaveCheckpoint(), "metadata.json");
            // As an older build wrote it: no stream derivation at all.
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(metadata))!;
            Assert.True(json["training"]!.AsObject().Remove("stream_derivation"));
            File.WriteAllText(metadata, json.ToJsonString());
        }
        // Opened as today's train command opens it, with the derivation of new runs: it keeps the checkpoint's.
        using (var run = TrainingRun.Open(Options("resumed", TrainingConfig.Default(Objective.Causal, 6) with { GlobalBatch = 8, MicroBatch = 8 }), warning => Assert.Fail(warning)))
        {
            Assert.Equal(3, run.Step);
            Assert.Equal(Data.Sampling.StreamDerivation.XoredKeys, run.Options.Training.StreamDerivation);
            Assert.Equal(straight[3..], Enumerable.Range(0, 3).Select(_ => run.TrainStep().Result.Loss).ToArray());
        }
        // A new run derives its streams the new way, so its sample order and masks differ.
        using (var fresh = TrainingRun.Open(Options("fresh", old with { StreamDerivation = Data.Sampling.StreamDerivation.MixedKeys }), warning => Assert.Fail(warning)))
            Assert.NotEqual(straight[..3], Enumerable.Range(0, 3).Select(_ => fresh.TrainStep().Result.Loss).ToArray());
    }

    [Fact]
    public void A_checkpoint_refused_halfway_changes_nothing_in_the_trainer()
    {
        using var scope = NewDisposeScope();
        using var run = new TemporaryDirectory("checkpoint");
        using var trained = Trainer(Objective.Causal);
        for (int step = 0; step < 3; step++) trained.Step(Samples(step));
        using var checkpoint = Checkpoint.Read(Checkpoint.Save(run.Path, trained, 24, "synthetic", null, data.Path));
        string lastParameter = trained.Model.named_parameters().Last().name;
        string firstMoment = checkpoint.Moments.Keys.Order(StringComparer.Ordinal).First(k => k.EndsWith(".exp_avg", StringComparison.Ordinal));
        // The last parameter missing; then the parameters whole but one moment of another shape.
        LoadedCheckpoint[] refused =
        [
            checkpoint with { Parameters = checkpoint.Parameters.Where(p => p.Key != lastParameter).ToDictionary() },
            checkpoint with { Moments = new Dictionary<string, Tensor>(checkpoint.Moments) { [firstMoment] = zeros(3) } },
        ];

        using var fresh = Trainer(Objective.Causal);
        var before = fresh.Model.parameters().Select(p => p.detach().clone()).ToArray();
        foreach (var damaged in refused)
        {
            Assert.Throws<InvalidDataException>(() => damaged.Restore(fresh));
            Assert.Equal(0, fresh.Optimizer.Steps);
            Assert.All(fresh.Model.parameters().Zip(before), p => Assert.True(p.First.eq(p.Second).all().item<bool>(), "a refused checkpoint left values in the model"));
        }
        checkpoint.Restore(fresh);
        Assert.Equal(3, fresh.Optimizer.Steps);
    }

    [Fact]
    public void Gradients_computed_again_for_a_step_replace_those_left_by_the_first_try()
    {
        using var scope = NewDisposeScope();
        using var once = Trainer(Objective.Causal);
        using var twice = Trainer(Objective.Causal);
        var samples = Samples(0);
        once.ComputeGradients(samples, 100);
        twice.ComputeGradients(samples, 100); // reduced, then given up: never applied nor dropped
        twice.ComputeGradients(samples, 100);
        Assert.All(once.Model.parameters().Zip(twice.Model.parameters()),
            p => Assert.True(p.First.grad!.eq(p.Second.grad!).all().item<bool>(), "the second try added to the first one's gradients"));
    }

    [Fact]
    public void A_disposed_trainer_frees_its_models_parameters()
    {
        var trainer = Trainer(Objective.Causal);
        trainer.Step(Samples(0));
        var parameters = trainer.Model.parameters().ToArray();
        Assert.NotEmpty(parameters);
        Assert.All(parameters, p => Assert.False(p.IsInvalid));
        trainer.Dispose();
        Assert.All(parameters, p => Assert.True(p.IsInvalid, "a parameter outlived its trainer"));
    }

    [Fact]
    public void Sampling_is_deterministic_with_a_seed_and_fill_replaces_only_masks()
    {
        using var scope = NewDisposeScope();
        using var trainer = Trainer(Objective.Causal);
        for (int step = 0; step < 30; step++) trainer.Step(Samples(step));
        var a = TextGenerator.Continue(trainer.Model, [3, 4, 5], 12, temperature: 0.8, topK: 10, seed: 1);
        Assert.Equal(a, TextGenerator.Continue(trainer.Model, [3, 4, 5], 12, temperature: 0.8, topK: 10, seed: 1));
        Assert.Equal(12, a.Length);
        var greedy = TextGenerator.Continue(trainer.Model, [10, 11, 12, 13, 14], 4, temperature: 0, topK: 0, seed: 0);
        Assert.Equal([15, 16, 17, 18], greedy); // it learned to count

        var filled = TextGenerator.Fill(trainer.Model, [1, 2, SyntheticDataset.Cloze.Mask, 4], SyntheticDataset.Cloze.Mask);
        Assert.Equal([1, 2], filled[..2]);
        Assert.Equal(4, filled[3]);
        Assert.NotEqual(SyntheticDataset.Cloze.Mask, filled[2]);
    }
}
