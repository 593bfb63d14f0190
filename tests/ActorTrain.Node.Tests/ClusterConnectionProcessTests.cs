using ActorTrain.Chaos;
using ActorTrain.Cluster;
using ActorTrain.Protocol.Training;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>The cluster client `actortrain train --cluster` uses, against real node processes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterConnectionProcessTests(PostgresFixture postgres)
{
    [PostgresFact]
    public async Task A_question_asked_before_any_node_serves_it_is_answered_once_one_does()
    {
        await using var cluster = ProcessCluster.Create(await postgres.NewDatabaseAsync());
        var trainer = cluster.Start("trainer", "trainer", seed: null);
        await trainer.WaitUpAsync(ProcessCluster.Patience);

        // The contact runs no coordinator: its receptionist knows no training-run service and drops the
        // question, as a node that just joined does before the registry's gossip reaches it.
        await using var connection = ClusterConnection.Open(trainer.Address);
        var asked = connection.AskRunsAsync<TrainingRunState>(new TrainingRunCommands.GetStatus("nobody"), ProcessCluster.Patience);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(asked.IsCompleted);

        var coordinator = cluster.Start("coordinator", "coordinator,data", trainer);
        await coordinator.WaitUpAsync(ProcessCluster.Patience);
        var state = await asked;
        Assert.Equal(TrainingRunStatus.New, state.Status);
    }
}
