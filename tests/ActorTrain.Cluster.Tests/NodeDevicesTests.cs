using ActorTrain.Cluster.Training;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class NodeDevicesTests
{
    [Theory]
    [InlineData("cpu:2", "cpu:0,cpu:1")]
    [InlineData("cuda:0,cuda:1", "cuda:0,cuda:1")]
    [InlineData("cpu:1, cuda:3", "cpu:0,cuda:3")]
    public void A_device_list_names_one_device_per_replica_slot(string text, string expected) =>
        Assert.Equal(expected, NodeDevices.Parse(text).ToString());

    [Theory]
    [InlineData("gpu:1", "unknown device kind 'gpu'")]
    [InlineData("cpu:0", "offers no slot")]
    [InlineData("cpu:1,cpu:2", "cpu is given twice")]
    [InlineData("cuda:1,cuda:1", "cuda:1 is negative or given twice")]
    [InlineData("cpu", "'cpu' is not KIND:NUMBER")]
    public void A_bad_device_list_is_refused_naming_the_problem(string text, string problem) =>
        Assert.Contains(problem, Assert.Throws<FormatException>(() => NodeDevices.Parse(text)).Message);

    [Fact]
    public void Devices_travel_as_roles_and_a_trainer_that_names_none_has_one_cpu_slot()
    {
        var devices = NodeDevices.Parse("cpu:2,cuda:0");
        Assert.Equal(["device:cpu:0", "device:cpu:1", "device:cuda:0"], devices.Roles);
        Assert.Equal(devices, NodeDevices.FromRoles(["trainer", .. devices.Roles]));
        Assert.Equal(NodeDevices.OneCpu, NodeDevices.FromRoles(["trainer", "data"]));
        Assert.Empty(NodeDevices.FromRoles(["coordinator", "data"]).Names);
        Assert.Equal(4, NodeDevices.Parse("cpu:4").ThreadsPerCpuSlot(16));
        Assert.Equal(1, NodeDevices.Parse("cpu:4").ThreadsPerCpuSlot(2)); // never fewer than one thread
    }

    [Fact]
    public void A_shard_goes_to_the_region_with_the_most_free_devices_and_nowhere_when_none_is_free()
    {
        Assert.Equal("b", DeviceAwareAllocation.Choose([("a", 2, 1), ("b", 3, 0), ("c", 1, 0)]));
        Assert.Equal("a", DeviceAwareAllocation.Choose([("a", 2, 0), ("b", 2, 0)])); // the first of equals
        Assert.Null(DeviceAwareAllocation.Choose([("a", 1, 1), ("b", 2, 2), ("c", 0, 0)])); // the world shrinks
    }
}
