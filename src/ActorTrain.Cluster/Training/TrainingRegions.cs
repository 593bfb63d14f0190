using Akka.Actor;
using Akka.Cluster.Sharding;

namespace ActorTrain.Cluster.Training;

/// <summary>The shard regions of training on this node: trainer replicas (role trainer, placed on devices)
/// and training runs (role coordinator, remembered: after a whole-cluster restart every run that was
/// going starts again from its journal without being asked). On a node without the role, the region is a proxy.</summary>
public sealed record TrainingRegions(IActorRef Trainers, IActorRef Runs)
{
    public const int MaxShards = 100;

    public static TrainingRegions Start(ActorSystem system, TrainingSettings settings)
    {
        var sharding = ClusterSharding.Get(system);
        var trainers = sharding.Start("trainer", id => TrainerActor.Props(Protocol.Training.TrainerId.Parse(id), settings),
            ClusterShardingSettings.Create(system).WithRole("trainer"), new TrainerMessageExtractor(),
            new DeviceAwareAllocation(Akka.Cluster.Cluster.Get(system)), PoisonPill.Instance);
        var runs = sharding.Start("training-run", id => TrainingRunActor.Props(id, trainers, settings),
            ClusterShardingSettings.Create(system).WithRole("coordinator").WithRememberEntities(true), new TrainingMessageExtractor(MaxShards));
        return new TrainingRegions(trainers, runs);
    }
}
