using System.Collections.Immutable;
using ActorTrain.Cluster.Ingest;
using ActorTrain.Data.Cleaning;
using ActorTrain.Node.Ingest;
using ActorTrain.Protocol.Ingest;
using Akka.Actor;
using Spectre.Console;
using Xunit;

namespace ActorTrain.Node.Tests;

public sealed class IngestProgressViewTests
{
    // A shard finalizing or tokenizing a large output holds its mailbox for minutes: the view goes on without its answer.
    [Fact]
    public async Task A_shard_too_busy_to_answer_does_not_end_the_view_of_its_job()
    {
        using var system = ActorSystem.Create("view", "akka.loglevel = ERROR");
        var finalizing = new IngestJobState(IngestJobStatus.Finalizing, "/out", [1], [new ShardProgress(DataShardStage.Collected, 0, CleaningCounts.Empty, null, null)], null, null);
        var job = system.ActorOf(Props.Create(() => new JobCompletingAfter(finalizing, 4)));
        var busyShard = system.ActorOf(Props.Create(() => new Silent()));
        var regions = new IngestRegions(ActorRefs.Nobody, ActorRefs.Nobody, busyShard, job);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()) });
        var start = new IngestJobCommands.Start("j", ["/in"], [], [], 1, "/out");

        var done = await IngestProgressView.FollowAsync(console, regions, start, finalizing, patience: TimeSpan.FromSeconds(1), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(IngestJobStatus.Completed, done.Status);
    }

    // Answers Finalizing so many times, then Completed.
    private sealed class JobCompletingAfter : ReceiveActor
    {
        public JobCompletingAfter(IngestJobState finalizing, int polls)
        {
            int asked = 0;
            Receive<IngestJobCommands.GetStatus>(_ => Sender.Tell(++asked < polls ? finalizing : finalizing with { Status = IngestJobStatus.Completed }));
        }
    }

    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }
}
