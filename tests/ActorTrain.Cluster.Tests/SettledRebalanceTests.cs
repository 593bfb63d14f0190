using Akka.Actor;
using Akka.Cluster;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class SettledRebalanceTests
{
    private static readonly Address First = new("akka.tcp", "actortrain", "127.0.0.1", 4053), Second = new("akka.tcp", "actortrain", "127.0.0.1", 4054);

    [Fact]
    public void Rebalancing_goes_ahead_when_every_region_is_on_an_Up_member() =>
        Assert.Null(SettledRebalance.ReasonToHoldBack([First, Second], new Dictionary<Address, MemberStatus> { [First] = MemberStatus.Up, [Second] = MemberStatus.Up }));

    [Fact]
    public void Two_regions_at_one_address_hold_rebalancing_back_the_old_incarnations_cannot_answer()
    {
        // The restarted node is Up at its old address: by membership alone both regions look alive.
        string? reason = SettledRebalance.ReasonToHoldBack([First, Second, Second], new Dictionary<Address, MemberStatus> { [First] = MemberStatus.Up, [Second] = MemberStatus.Up });
        Assert.Contains("2 regions at akka.tcp://actortrain@127.0.0.1:4054", reason);
    }

    [Theory]
    [InlineData(MemberStatus.Down, "is on a member that is Down")]
    [InlineData(MemberStatus.Leaving, "is on a member that is Leaving")]
    public void A_region_on_a_member_on_its_way_out_holds_rebalancing_back(MemberStatus status, string expected) =>
        Assert.Contains(expected, SettledRebalance.ReasonToHoldBack([First, Second], new Dictionary<Address, MemberStatus> { [First] = MemberStatus.Up, [Second] = status }));

    [Fact]
    public void A_region_on_a_removed_member_holds_rebalancing_back() =>
        Assert.Contains("127.0.0.1:4054 is not on a cluster member", SettledRebalance.ReasonToHoldBack([First, Second], new Dictionary<Address, MemberStatus> { [First] = MemberStatus.Up }));
}
