using ActorTrain.Protocol.Training;
using Akka.Cluster.Sharding;

namespace ActorTrain.Cluster.Training;

/// <summary>Trainer replicas: one shard per replica (shard id = entity id), so that placing a shard on a
/// device places exactly one replica there.</summary>
public sealed class TrainerMessageExtractor : IMessageExtractor
{
    public string EntityId(object message) => message switch
    {
        TrainerCommands.Prepare p => p.Trainer.EntityId,
        TrainerCommands.ComputeStep c => c.Trainer.EntityId,
        TrainerCommands.FinishStep f => f.Trainer.EntityId,
        TrainerCommands.Synchronize s => s.Trainer.EntityId,
        TrainerCommands.ReplayStep r => r.Trainer.EntityId,
        TrainerCommands.WriteCheckpoint w => w.Trainer.EntityId,
        TrainerCommands.GetParameterDigest d => d.Trainer.EntityId,
        TrainerCommands.Release r => r.Trainer.EntityId,
        _ => null!,
    };

    public object EntityMessage(object message) => message;

    public string ShardId(object message) => EntityId(message);

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
