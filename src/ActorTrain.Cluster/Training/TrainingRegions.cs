using Akka.Actor;
using Akka.Cluster.Sharding;
using ActorTrain.Protocol.Training;

namespace ActorTrain.Cluster.Training;

/// <summary>The shard regions of training on this node: trainer replicas (role trainer) and training runs (role coordinator).</summary>
public sealed record TrainingRegions(IActorRef Trainers, IActorRef Runs)
{
    public const int MaxShards = 100;

    public static TrainingRegions Start(ActorSystem system, TrainingSettings settings)
    {
        var sharding = ClusterSharding.Get(system);
        var extractor = new TrainingMessageExtractor(MaxShards);
        var trainers = sharding.Start("trainer", id => TrainerActor.Props(TrainerId.Parse(id), settings),
            ClusterShardingSettings.Create(system).WithRole("trainer"), extractor);
        var runs = sharding.Start("training-run", id => TrainingRunActor.Props(id, trainers, settings.StepTimeout),
            ClusterShardingSettings.Create(system).WithRole("coordinator"), extractor);
        return new TrainingRegions(trainers, runs);
    }
}
