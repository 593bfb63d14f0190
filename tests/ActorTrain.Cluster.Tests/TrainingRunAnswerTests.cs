using ActorTrain.Cluster.Configuration;
using ActorTrain.Protocol.Training;
using Akka.Actor;
using Xunit;

namespace ActorTrain.Cluster.Tests;

/// <summary>A run's answers stay within one remoting frame however long it trains: a status question carries the
/// newest steps only, and as many as asked for up to <see cref="TrainingRunState.MaxStepsPerAnswer"/>.</summary>
public sealed class TrainingRunAnswerTests : IDisposable
{
    private const int FrameBytes = 16 * 1024 * 1024; // hocon/cluster.conf: maximum-frame-size
    private const int Batch = 16;
    private static readonly TrainingSpec Spec = new("/data/job", "/runs/long", "tiny", "causal", 200_000, Batch, 8, 3e-3, 7, 2, 500, ActorTrain.Data.Sampling.StreamDerivation.MixedKeys);
    private readonly ActorSystem system = ActorSystem.Create("answers", EmbeddedHocon.Load(EmbeddedHocon.Base));

    public void Dispose() => system.Dispose();

    [Fact]
    public void A_hundred_thousand_step_run_answers_in_one_frame_with_its_newest_steps()
    {
        var state = Run(100_000);
        Assert.True(Bytes(state) > FrameBytes, $"the whole history is {Bytes(state)} bytes: it would not fit a frame (the reason for windows)");

        var answer = state.From(0);
        Assert.True(Bytes(answer) < FrameBytes / 2, $"{Bytes(answer)} bytes");
        Assert.Equal(TrainingRunState.MaxStepsPerAnswer, answer.Steps.Count);
        Assert.Equal(90_000, answer.StepsBefore);
        Assert.Equal(90_000, answer.Steps[0].Step);
        Assert.Equal(100_000, answer.NextStep);
        Assert.Equal(100_000L * Batch, answer.ConsumedSamples);
        Assert.Equal(state.Checkpoints, answer.Checkpoints);
    }

    [Fact]
    public void An_answer_carries_the_runs_first_replay_divergence_whatever_steps_it_leaves_out()
    {
        var state = Run(20_000).Apply(new TrainingRunEvents.ReplayDiverged(3, "bb", "aa")).Apply(new TrainingRunEvents.ReplayDiverged(7, "dd", "cc"));
        Assert.Equal(new ReplayDivergence(3, "bb", "aa"), state.Diverged);
        Assert.Equal(new ReplayDivergence(3, "bb", "aa"), state.From(TrainingRunCommands.GetStatus.NewestOnly).Diverged);
        Assert.Equal(new ReplayDivergence(3, "bb", "aa"), Roundtrip(state.From(0)).Diverged);
        // A step the run has not committed cannot have been replayed.
        Assert.Throws<InvalidOperationException>(() => Run(5).Apply(new TrainingRunEvents.ReplayDiverged(5, "bb", "aa")));
    }

    [Fact]
    public void A_poll_gets_the_newest_step_and_a_tail_the_steps_since_it_last_asked()
    {
        var state = Run(1000);
        var newest = state.From(TrainingRunCommands.GetStatus.NewestOnly);
        Assert.Equal([999L], newest.Steps.Select(s => s.Step));
        Assert.Equal(1000, newest.NextStep);
        Assert.Equal(1000L * Batch, newest.ConsumedSamples);
        Assert.Equal([990L, 991, 992, 993, 994, 995, 996, 997, 998, 999], state.From(990).Steps.Select(s => s.Step));
        // Nothing new since the last question: still the newest step, which carries the samples consumed and the loss.
        Assert.Equal([999L], state.From(1000).Steps.Select(s => s.Step));
        Assert.Equal(1000, state.From(0).Steps.Count); // a short run answers with all of its history
    }

    [Fact]
    public void A_run_without_steps_answers_with_none() =>
        Assert.Equal(0, TrainingRunState.Initial.From(TrainingRunCommands.GetStatus.NewestOnly).NextStep);

    [Fact]
    public void An_answer_cut_again_keeps_counting_from_the_runs_first_step()
    {
        var answer = Run(30_000).From(0).From(25_000);
        Assert.Equal(25_000, answer.StepsBefore);
        Assert.Equal(30_000, answer.NextStep);
    }

    private static TrainingRunState Run(int steps)
    {
        var state = TrainingRunState.Initial.Apply(new TrainingRunEvents.Started(Spec, DateTimeOffset.UnixEpoch));
        for (int step = 0; step < steps; step++)
        {
            state = state.Apply(new TrainingRunEvents.StepCommitted(step, (long)step * Batch, (long)(step + 1) * Batch, [0, 1], 1, 3.0 - step * 1e-5, 0.25,
                ["5f0e3c2a9b8d7e6f5f0e3c2a9b8d7e6f", "5f0e3c2a9b8d7e6f5f0e3c2a9b8d7e6f"]));
            if ((step + 1) % Spec.CheckpointEvery == 0) state = state.Apply(new TrainingRunEvents.CheckpointRecorded(step + 1, $"/runs/long/checkpoints/step-{step + 1}", "ab12"));
        }
        return state;
    }

    private TrainingRunState Roundtrip(TrainingRunState state)
    {
        var serializer = (Akka.Serialization.SerializerWithStringManifest)system.Serialization.FindSerializerFor(state);
        return (TrainingRunState)serializer.FromBinary(serializer.ToBinary(state), serializer.Manifest(state));
    }

    private int Bytes(TrainingRunState state) => system.Serialization.FindSerializerFor(state).ToBinary(state).Length;
}
