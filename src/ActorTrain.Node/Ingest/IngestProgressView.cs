using ActorTrain.Cluster.Ingest;
using ActorTrain.Protocol.Ingest;
using Akka.Actor;
using Spectre.Console;

namespace ActorTrain.Node.Ingest;

/// <summary>Follows an ingest job to completion under live progress bars (collect + clean,
/// deduplicate, and tokenize when the job has a tokenizer), asking the job and its shards.</summary>
public static class IngestProgressView
{
    public static async Task<IngestJobState> FollowAsync(IAnsiConsole console, IngestRegions regions, string job, IngestJobState state, TimeSpan patience, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                int files = state.ShardFileCounts.Sum();
                var collect = progress.AddTask("collect + clean", maxValue: Math.Max(files, 1));
                var finalize = progress.AddTask("deduplicate", maxValue: state.Shards.Length);
                var tokenize = state.Tokenizer is null ? null : progress.AddTask("tokenize", maxValue: state.Shards.Length);
                while (state.Status != IngestJobStatus.Completed)
                {
                    await Task.Delay(250, cancellationToken);
                    state = await regions.Jobs.Ask<IngestJobState>(new IngestJobCommands.GetStatus(job), patience, cancellationToken);
                    var shards = await Task.WhenAll(Enumerable.Range(0, state.Shards.Length).Select(n =>
                        regions.DataShards.Ask<DataShardReport>(new DataShardCommands.GetState(new DataShardId(job, n)), patience, cancellationToken)));
                    var documents = shards.Sum(s => s.Counts.DocumentsIn);
                    double megabytes = shards.Sum(s => s.Counts.BytesIn) / 1e6;
                    collect.Value = shards.Sum(s => s.Stage >= DataShardStage.Collected ? s.Files : s.NextFile);
                    collect.Description = $"collect + clean: {documents} documents, {megabytes:0.0} MB, {megabytes / clock.Elapsed.TotalSeconds:0.00} MB/s, " +
                                          $"{shards.Count(s => s.Stage >= DataShardStage.Collected)}/{shards.Length} shards";
                    finalize.Value = state.Shards.Count(s => s.Stage >= DataShardStage.Finalized);
                    if (tokenize is not null)
                    {
                        tokenize.Value = state.Shards.Count(s => s.Stage == DataShardStage.Tokenized);
                        tokenize.Description = state.Status == IngestJobStatus.PreparingTokenizer ? $"tokenize (training {state.Tokenizer})" : "tokenize";
                    }
                }
                collect.Value = collect.MaxValue;
            });
        return state;
    }
}
