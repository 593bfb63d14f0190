using ActorTrain.Protocol.Training;
using Akka.Cluster.Sharding;

namespace ActorTrain.Cluster.Training;

/// <summary>Training runs, spread over the coordinator nodes by a hash of the run name.</summary>
public sealed class TrainingMessageExtractor(int maxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string EntityId(object message) => message switch
    {
        TrainingRunCommands.Start s => s.Run,
        TrainingRunCommands.GetStatus g => g.Run,
        TrainingRunCommands.Pause p => p.Run,
        TrainingRunCommands.Resume r => r.Run,
        TrainingRunCommands.Stop s => s.Run,
        TrainingRunCommands.CheckpointNow c => c.Run,
        _ => null!,
    };
}
