using ActorTrain.Cluster;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Testing;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class IncarnationMarkTests
{
    private static readonly TimeSpan Removal = TimeSpan.FromSeconds(12);

    [Fact]
    public void A_node_waits_only_for_a_mark_touched_within_the_removal_time()
    {
        using var directory = new TemporaryDirectory("actortrain-mark-");
        string path = IncarnationMark.PathFor(directory.Path, "127.0.0.1", 4053);
        var now = DateTime.UtcNow;
        Assert.Equal(TimeSpan.Zero, IncarnationMark.WaitBefore(path, Removal, now)); // never ran here

        File.WriteAllText(path, "1\n");
        File.SetLastWriteTimeUtc(path, now - TimeSpan.FromSeconds(4)); // died 4 s ago
        Assert.Equal(TimeSpan.FromSeconds(8), IncarnationMark.WaitBefore(path, Removal, now));

        File.SetLastWriteTimeUtc(path, now - Removal - TimeSpan.FromSeconds(1)); // the others removed it by now
        Assert.Equal(TimeSpan.Zero, IncarnationMark.WaitBefore(path, Removal, now));
    }

    [Fact]
    public async Task A_claimed_mark_is_touched_while_the_node_runs_and_gone_once_it_ended_in_order()
    {
        using var directory = new TemporaryDirectory("actortrain-mark-");
        string path = IncarnationMark.PathFor(directory.Combine("data"), "::1", 4053); // the data directory is made
        using (await IncarnationMark.ClaimOnceRemovedAsync(path, Removal, CancellationToken.None))
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - TimeSpan.FromMinutes(1));
            await Eventually.Until(() => Task.FromResult(File.GetLastWriteTimeUtc(path)), touched => DateTime.UtcNow - touched < TimeSpan.FromSeconds(5),
                TimeSpan.FromSeconds(10), "the mark to be touched");
            Assert.True(IncarnationMark.WaitBefore(path, Removal, DateTime.UtcNow) > TimeSpan.FromSeconds(5));
        }
        Assert.False(File.Exists(path));
        Assert.Equal(TimeSpan.Zero, IncarnationMark.WaitBefore(path, Removal, DateTime.UtcNow));
        Assert.DoesNotContain(':', Path.GetFileName(path));
    }

    [Fact]
    public async Task A_data_directory_that_cannot_hold_the_mark_does_not_stop_the_node()
    {
        using var directory = new TemporaryDirectory("actortrain-mark-");
        File.WriteAllText(directory.Combine("data"), "a file where the data directory should be");
        string path = IncarnationMark.PathFor(directory.Combine("data"), "127.0.0.1", 4053);
        using (await IncarnationMark.ClaimOnceRemovedAsync(path, Removal, CancellationToken.None)) Assert.False(File.Exists(path));
    }

    [Fact]
    public void The_removal_time_adds_failure_detection_the_resolvers_stable_after_and_a_margin()
    {
        // local: 2 s pause + 500 ms interval + 5 s stable-after; production: 3 s + 1 s + 20 s; each + 5 s.
        Assert.Equal(TimeSpan.FromSeconds(12.5), IncarnationMark.RemovalTime(EmbeddedHocon.Load(EmbeddedHocon.LocalProfile)));
        Assert.Equal(TimeSpan.FromSeconds(29), IncarnationMark.RemovalTime(EmbeddedHocon.Load(EmbeddedHocon.ProductionProfile)));
        Assert.Equal(TimeSpan.FromSeconds(29), IncarnationMark.RemovalTime(Config.Empty)); // Akka's defaults: 3 s, 1 s, 20 s

        var bad = ConfigurationFactory.ParseString("akka.cluster.split-brain-resolver.stable-after = soon");
        var problem = Assert.Throws<ConfigurationException>(() => IncarnationMark.RemovalTime(bad));
        Assert.Contains("akka.cluster.split-brain-resolver.stable-after 'soon' is not a duration", problem.Message);
    }
}
