using ActorTrain.Protocol.Training;
using Akka.Cluster.Sharding;

namespace ActorTrain.Cluster.Training;

/// <summary>Entity ids of the training entities, read from the messages (every command names its entity).</summary>
public sealed class TrainingMessageExtractor(int maxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string EntityId(object message) => message switch
    {
        TrainerCommands.Prepare p => p.Trainer.EntityId,
        TrainerCommands.ComputeStep c => c.Trainer.EntityId,
        TrainerCommands.FinishStep f => f.Trainer.EntityId,
        TrainerCommands.Synchronize s => s.Trainer.EntityId,
        TrainerCommands.ReplayStep r => r.Trainer.EntityId,
        TrainerCommands.WriteCheckpoint w => w.Trainer.EntityId,
        TrainerCommands.GetParameterDigest d => d.Trainer.EntityId,
        TrainingRunCommands.Start s => s.Run,
        TrainingRunCommands.GetStatus g => g.Run,
        TrainingRunCommands.Pause p => p.Run,
        TrainingRunCommands.Resume r => r.Run,
        TrainingRunCommands.Stop s => s.Run,
        TrainingRunCommands.CheckpointNow c => c.Run,
        _ => null!,
    };
}
