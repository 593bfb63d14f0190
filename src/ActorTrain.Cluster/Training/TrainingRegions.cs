using Akka.Actor;

namespace ActorTrain.Cluster.Training;

/// <summary>The shard regions of training on this node: trainer replicas (role trainer, placed on devices)
/// and training runs (role coordinator, remembered: after a whole-cluster restart every run that was
/// going starts again from its journal without being asked). On a node without the role, the region is a proxy.
/// Rebalancing waits until every region can answer (<see cref="SettledRebalance"/>).</summary>
public sealed record TrainingRegions(IActorRef Trainers, IActorRef Runs)
{
    public const int MaxShards = 100;

    /// <summary>The training runs' sharded type: its region on coordinator nodes, a proxy elsewhere.</summary>
    public const string RunsTypeName = "training-run";

    public static TrainingRegions Start(ActorSystem system, TrainingSettings settings)
    {
        var trainers = SettledRebalance.StartRegion(system, "trainer", "trainer", id => TrainerActor.Props(Protocol.Training.TrainerId.Parse(id), settings),
            new TrainerMessageExtractor(), new DeviceAwareAllocation(Akka.Cluster.Cluster.Get(system)));
        var runs = SettledRebalance.StartRegion(system, RunsTypeName, "coordinator", id => TrainingRunActor.Props(id, trainers, settings),
            new TrainingMessageExtractor(MaxShards), rememberEntities: true);
        return new TrainingRegions(trainers, runs);
    }
}
