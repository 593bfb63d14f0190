using Prometheus;

namespace ActorTrain.Cluster.Observability;

/// <summary>
/// What a node exports in Prometheus format (prometheus-net's default registry; `actortrain node`
/// serves it at /metrics). Training metrics come from the run entity, labelled by run, on the node
/// that hosts it; ingest metrics from the job entity, labelled by job. Rates (documents/s) are
/// Prometheus' rate() over the totals.
/// </summary>
public static class NodeMetrics
{
    private static readonly string[] Run = ["run"];
    private static readonly string[] Job = ["job"];

    public static readonly Gauge TrainingStep = Metrics.CreateGauge("actortrain_training_step", "Committed steps of the run.", Run);
    public static readonly Gauge TrainingLoss = Metrics.CreateGauge("actortrain_training_loss", "Training loss of the last committed step (nats/token).", Run);
    public static readonly Gauge TokensPerSecond = Metrics.CreateGauge("actortrain_training_tokens_per_second", "Labelled tokens of the last step over its seconds.", Run);
    public static readonly Gauge ConsumedSamples = Metrics.CreateGauge("actortrain_training_consumed_samples", "Samples of the order consumed so far.", Run);
    public static readonly Gauge LiveReplicas = Metrics.CreateGauge("actortrain_training_replicas", "Replicas in the last committed step.", Run);

    /// <summary>The last step's seconds split: compute (slowest replica's gradients), all-reduce (slowest replica's ring), and the rest (waiting: messages, stragglers, journal).</summary>
    public static readonly Gauge StepSeconds = Metrics.CreateGauge("actortrain_training_step_seconds", "Seconds of the last committed step, by part.", ["run", "part"]);

    public static readonly Counter FailedSteps = Metrics.CreateCounter("actortrain_training_failed_steps_total", "Step attempts dropped because a replica failed or missed the deadline.", Run);

    public static readonly Histogram JournalWriteSeconds = Metrics.CreateHistogram("actortrain_journal_write_seconds", "From persisting an event to its handler running.",
        new HistogramConfiguration { LabelNames = ["entity"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });

    public static readonly Gauge IngestDocumentsIn = Metrics.CreateGauge("actortrain_ingest_documents_read", "Documents read by the job so far.", Job);
    public static readonly Gauge IngestDocumentsKept = Metrics.CreateGauge("actortrain_ingest_documents_kept", "Documents that survived every stage.", Job);
    public static readonly Gauge IngestDropped = Metrics.CreateGauge("actortrain_ingest_documents_dropped", "Documents dropped, by stage.", ["job", "stage"]);

    /// <summary>Drops a run's series, once its entity leaves this node (passivated, or moved with a rebalance): left, they
    /// would be exported frozen beside the new host's, and a long-lived node would keep one set per run it ever hosted.</summary>
    public static void ForgetRun(string run)
    {
        foreach (var gauge in new[] { TrainingStep, TrainingLoss, TokensPerSecond, ConsumedSamples, LiveReplicas }) gauge.RemoveLabelled(run);
        foreach (var labels in StepSeconds.GetAllLabelValues().Where(labels => labels[0] == run).ToArray()) StepSeconds.RemoveLabelled(labels);
        FailedSteps.RemoveLabelled(run);
    }

    /// <summary>Drops a job's series, once its entity leaves this node.</summary>
    public static void ForgetJob(string job)
    {
        IngestDocumentsIn.RemoveLabelled(job);
        IngestDocumentsKept.RemoveLabelled(job);
        foreach (var labels in IngestDropped.GetAllLabelValues().Where(labels => labels[0] == job).ToArray()) IngestDropped.RemoveLabelled(labels);
    }
}
