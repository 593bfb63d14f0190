using ActorTrain.Data.Sampling;
using ActorTrain.Node.Cmd;
using ActorTrain.Protocol.Training;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>What `pbm train status` and `pbm train list` print of a run's state.</summary>
public sealed class TrainPaletteAnswerTests
{
    private static readonly TrainingSpec Spec = new("/data/job", "/runs/r", "tiny", "causal", 10, 4, 2, 3e-3, 7, 2, 5, RandomStreams.ForNewRuns);

    private static TrainingRunState Run(int steps)
    {
        var state = TrainingRunState.Initial.Apply(new TrainingRunEvents.Started(Spec, DateTimeOffset.UnixEpoch));
        for (int step = 0; step < steps; step++) state = state.Apply(new TrainingRunEvents.StepCommitted(step, step * 4L, step * 4L + 4, [0, 1], 1, 2.5, 0.1, ["aa", "aa"]));
        return state;
    }

    [Fact]
    public void A_run_whose_resume_diverged_says_from_which_step_it_is_not_the_journaled_run()
    {
        var diverged = Run(6).Apply(new TrainingRunEvents.ReplayDiverged(3, "bb", "aa"));
        Assert.Contains("| not the journaled run from step 3: a resume replayed it into other parameters", TrainPalette.Line("r", diverged));
        Assert.Contains("\"replayDivergedAt\":3", PaletteJson.Serialize(TrainPalette.Summary("r", diverged)));

        var faithful = Run(6);
        Assert.DoesNotContain("journaled run", TrainPalette.Line("r", faithful));
        Assert.Contains("\"replayDivergedAt\":null", PaletteJson.Serialize(TrainPalette.Summary("r", faithful)));
    }
}
