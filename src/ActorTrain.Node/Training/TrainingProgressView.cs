using ActorTrain.Model;
using Spectre.Console;

namespace ActorTrain.Node.Training;

/// <summary>Runs a <see cref="TrainingRun"/> to its end (or a deadline) under a live progress bar:
/// step, loss, validation loss, tokens/s and the time left.</summary>
public static class TrainingProgressView
{
    /// <returns>The last validation result seen.</returns>
    public static EvaluationResult? Run(IAnsiConsole console, TrainingRun run, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        EvaluationResult? last = null;
        console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask("training", maxValue: run.Options.Training.Steps);
                task.Value = run.Step;
                while (!run.Finished && !cancellationToken.IsCancellationRequested && (deadline is null || DateTimeOffset.UtcNow < deadline))
                {
                    var report = run.TrainStep();
                    last = report.Validation ?? last;
                    task.Value = run.Step;
                    string validation = last is null ? "" : $", validation {last.Loss:0.000}";
                    task.Description = Markup.Escape($"step {run.Step}/{run.Options.Training.Steps}: loss {report.Result.Loss:0.000}{validation}, {report.TokensPerSecond:0} tokens/s");
                }
            });
        return last;
    }
}
