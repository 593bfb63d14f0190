using ActorTrain.Cluster.Observability;
using ActorTrain.Model;
using ActorTrain.Protocol.Training;
using Akka.Event;

namespace ActorTrain.Cluster.Training;

/// <summary>
/// What a run says of each committed step: the node's Prometheus gauges, one log line, and a record in metrics.jsonl
/// and the TensorBoard events of the run directory (opened at the first step, so a run that never trains writes none).
/// A disk that refuses the record costs the record, with a warning, never the step: the journal already holds it.
/// </summary>
public sealed class RunMetrics(string run, ILoggingAdapter log) : IDisposable
{
    private MetricsLog? files;

    public void StepCommitted(string runDirectory, TrainingRunEvents.StepCommitted step, long tokens, IReadOnlyCollection<TrainerReplies.Reduced> replicas)
    {
        // The slowest replica's compute and all-reduce: the step waited for it; the rest is waiting on the journal and messages.
        double compute = replicas.Max(r => r.ComputeSeconds), reduce = replicas.Max(r => r.ReduceSeconds);
        double tokensPerSecond = tokens / Math.Max(1e-9, step.Seconds);
        NodeMetrics.TrainingStep.WithLabels(run).Set(step.Step + 1);
        NodeMetrics.TrainingLoss.WithLabels(run).Set(step.Loss);
        NodeMetrics.TokensPerSecond.WithLabels(run).Set(tokensPerSecond);
        NodeMetrics.ConsumedSamples.WithLabels(run).Set(step.ConsumedTo);
        NodeMetrics.LiveReplicas.WithLabels(run).Set(step.Ranks.Length);
        NodeMetrics.StepSeconds.WithLabels(run, "compute").Set(compute);
        NodeMetrics.StepSeconds.WithLabels(run, "all-reduce").Set(reduce);
        NodeMetrics.StepSeconds.WithLabels(run, "wait").Set(Math.Max(0, step.Seconds - compute - reduce));
        log.Info("run {Run} step {Step}: loss {Loss:0.0000}, {TokensPerSecond:0} tokens/s, replicas [{Ranks}], {StepSeconds:0.000}s (compute {ComputeSeconds:0.000}s, all-reduce {ReduceSeconds:0.000}s)",
            [run, step.Step, step.Loss, tokensPerSecond, string.Join(", ", step.Ranks), step.Seconds, compute, reduce]);
        try
        {
            files ??= new MetricsLog(runDirectory);
            files.Record(step.Step + 1, new Dictionary<string, double>
            {
                ["train/loss"] = step.Loss,
                ["train/tokens_per_second"] = tokensPerSecond,
                ["train/step_seconds"] = step.Seconds,
                ["train/replicas"] = step.Ranks.Length,
                ["train/consumed_samples"] = step.ConsumedTo,
            });
        }
        catch (IOException e)
        {
            log.Warning("run {Run} step {Step}: metrics not written: {Reason}", run, step.Step, e.Message);
        }
    }

    /// <summary>Closes the files and drops the run's gauges from the node's metrics (the run left memory).</summary>
    public void Dispose()
    {
        files?.Dispose();
        NodeMetrics.ForgetRun(run);
    }
}
