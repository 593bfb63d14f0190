using ActorTrain.Cluster.Ingest;
using ActorTrain.Protocol.Ingest;
using Akka.Actor;
using Spectre.Console;

namespace ActorTrain.Node.Ingest;

/// <summary>Follows an ingest job to completion under live progress bars (collect + clean,
/// deduplicate, and tokenize when the job has a tokenizer), asking the job and its shards.</summary>
public static class IngestProgressView
{
    /// <param name="start">What started the job: said again if the job does not know it (the journal refused the request).</param>
    /// <param name="state">The job's answer to <paramref name="start"/>.</param>
    /// <exception cref="IngestJobStuckException">The job cannot go on: its plan failed, or a shard cannot read its plan.</exception>
    public static async Task<IngestJobState> FollowAsync(IAnsiConsole console, IngestRegions regions, IngestJobCommands.Start start, IngestJobState state,
        TimeSpan patience, CancellationToken cancellationToken)
    {
        string job = start.Job;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var collect = progress.AddTask("collect + clean", maxValue: 1);
                var finalize = progress.AddTask("deduplicate", maxValue: 1);
                ProgressTask? tokenize = null;
                DataShardReport?[] reports = [];
                while (state.Status != IngestJobStatus.Completed)
                {
                    if (state.Problem is { } problem) throw new IngestJobStuckException(job, problem);
                    await Task.Delay(250, cancellationToken);
                    state = await regions.Jobs.Ask<IngestJobState>(new IngestJobCommands.GetStatus(job), patience, cancellationToken);
                    if (state.Status == IngestJobStatus.New && state.Problem is null)
                        state = await regions.Jobs.Ask<IngestJobState>(start, patience, cancellationToken);
                    if (state.Status is IngestJobStatus.New or IngestJobStatus.Planning)
                    {
                        collect.Description = $"collect + clean: planning (listing the sources), {clock.Elapsed.TotalSeconds:0} s";
                        continue;
                    }
                    if (reports.Length != state.Shards.Length) reports = new DataShardReport?[state.Shards.Length];
                    var shards = await ShardReports(regions, job, reports, cancellationToken);
                    var documents = shards.Sum(s => s.Counts.DocumentsIn);
                    double megabytes = shards.Sum(s => s.Counts.BytesIn) / 1e6;
                    collect.MaxValue = Math.Max(state.ShardFileCounts.Sum(), 1);
                    collect.Value = shards.Sum(s => s.Stage >= DataShardStage.Collected ? s.Files : s.NextFile);
                    collect.Description = $"collect + clean: {documents} documents, {megabytes:0.0} MB, {megabytes / clock.Elapsed.TotalSeconds:0.00} MB/s, " +
                                          $"{shards.Count(s => s.Stage >= DataShardStage.Collected)}/{shards.Length} shards";
                    finalize.MaxValue = state.Shards.Length;
                    finalize.Value = state.Shards.Count(s => s.Stage >= DataShardStage.Finalized);
                    if (state.Tokenizer is null) continue;
                    tokenize ??= progress.AddTask("tokenize", maxValue: state.Shards.Length);
                    tokenize.Value = state.Shards.Count(s => s.Stage == DataShardStage.Tokenized);
                    tokenize.Description = state.Status == IngestJobStatus.PreparingTokenizer ? $"tokenize (training {state.Tokenizer})" : "tokenize";
                }
                collect.Value = collect.MaxValue;
            });
        return state;
    }

    private static readonly TimeSpan ShardAnswerWithin = TimeSpan.FromSeconds(2);

    // Each shard's report, or its last one while it does not answer: a shard finalizing or tokenizing a large output
    // holds its mailbox until that is done (minutes), and the view is only a view: the job waits for it, not the view.
    private static async Task<DataShardReport[]> ShardReports(IngestRegions regions, string job, DataShardReport?[] last, CancellationToken cancellationToken)
    {
        var asks = Enumerable.Range(0, last.Length).Select(async n =>
        {
            try
            {
                last[n] = await regions.DataShards.Ask<DataShardReport>(new DataShardCommands.GetState(new DataShardId(job, n)), ShardAnswerWithin, cancellationToken);
            }
            catch (AskTimeoutException)
            {
                // Shown as it last was.
            }
        });
        await Task.WhenAll(asks);
        return [.. last.Select(report => report ?? Unknown)];
    }

    private static readonly DataShardReport Unknown = new(DataShardStage.New, 0, 0, 0, 0, ActorTrain.Data.Cleaning.CleaningCounts.Empty, null, null);
}
