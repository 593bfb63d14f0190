using ActorTrain.Cluster.Configuration;
using Akka.Configuration;
using Akka.Event;

namespace ActorTrain.Cluster;

/// <summary>
/// A file in the node's data directory saying that an incarnation of the node runs at HOST:PORT, touched every second
/// while it runs and deleted when its actor system ends. One found at start, touched recently, means the previous
/// incarnation died without leaving (SIGKILL, a crash, the OOM killer) and the others may not have removed it yet; the
/// node then waits until they have, before it listens at that address again.
/// </summary>
/// <remarks>
/// A new incarnation that listens while the others still count the dead one as a member gets their connection attempts
/// (heartbeats to the dead one), and when they remove the dead one their remoting quarantines its UID and drops the new
/// connection's handle with it. Two nodes then never hear each other while a third hears both, and the split brain
/// resolver downs both (DownIndirectlyConnected): seen in CI, where trainer-1 started again 5 s after its SIGKILL and
/// trainer-2 was downed with it. Waiting costs a restarted node the seconds the others need to remove it, which
/// systemd's RestartSec=5 alone does not cover.
/// </remarks>
public sealed class IncarnationMark : IDisposable
{
    private static readonly TimeSpan TouchEvery = TimeSpan.FromSeconds(1);

    // After the resolver's decision: the leader's removal and its gossip to every node, on a busy machine.
    private static readonly TimeSpan RemovalMargin = TimeSpan.FromSeconds(5);

    private readonly string path;
    private readonly Timer? touching;
    private readonly TimeSpan waited;
    private readonly string? unmarked;

    private IncarnationMark(string path, TimeSpan waited)
    {
        this.path = path;
        this.waited = waited;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"{Environment.ProcessId}\n");
            touching = new Timer(_ => Touch(), null, TouchEvery, TouchEvery);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            unmarked = e.Message; // the mark only spares the next incarnation a hazard: no reason not to run
        }
    }

    /// <summary>The mark of the node at <paramref name="host"/>:<paramref name="port"/> in <paramref name="dataDirectory"/>.</summary>
    public static string PathFor(string dataDirectory, string host, int port) =>
        Path.Combine(dataDirectory, $"incarnation-{string.Concat(host.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'))}-{port}");

    /// <summary>How long after its last sign of life the others have removed a dead incarnation: its heartbeats missed
    /// for acceptable-heartbeat-pause and one interval, the resolver's stable-after, and a margin for the removal.</summary>
    public static TimeSpan RemovalTime(Config config)
    {
        var cluster = config.GetConfig("akka.cluster") ?? Config.Empty;
        TimeSpan Setting(string key, double seconds) => Durations.Positive(cluster, "akka.cluster", key, TimeSpan.FromSeconds(seconds));
        // Akka's own defaults where the configuration leaves them out.
        return Setting("failure-detector.acceptable-heartbeat-pause", 3) + Setting("failure-detector.heartbeat-interval", 1)
            + Setting("split-brain-resolver.stable-after", 20)
            + RemovalMargin;
    }

    /// <summary>How long to wait before listening again: zero when no earlier incarnation left a mark at
    /// <paramref name="markPath"/>, or it was last touched <paramref name="removalTime"/> or longer ago.</summary>
    public static TimeSpan WaitBefore(string markPath, TimeSpan removalTime, DateTime now)
    {
        if (!File.Exists(markPath)) return TimeSpan.Zero;
        var left = File.GetLastWriteTimeUtc(markPath) + removalTime - now;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>Waits until the others have removed an earlier incarnation that left a mark at <paramref name="markPath"/>
    /// (<see cref="WaitBefore"/>), then marks this one as running there until disposed.</summary>
    public static async Task<IncarnationMark> ClaimOnceRemovedAsync(string markPath, TimeSpan removalTime, CancellationToken cancellationToken)
    {
        var wait = WaitBefore(markPath, removalTime, DateTime.UtcNow);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
        return new IncarnationMark(markPath, wait);
    }

    /// <summary>Logs the wait, or why there is no mark, once the node has a log.</summary>
    public void Report(ILoggingAdapter log)
    {
        if (waited > TimeSpan.Zero)
            log.Warning("an earlier incarnation at this address died without leaving; waited {0:0.0}s for the cluster to remove it before listening here again",
                waited.TotalSeconds);
        if (unmarked is not null)
            log.Warning("cannot mark this incarnation in the data directory ({0}); after a crash the next one will not wait for the cluster to remove this one", unmarked);
    }

    private void Touch()
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (IOException)
        {
            // A full or vanished disk: the mark only shortens a wait, and the node runs on without it.
        }
    }

    /// <summary>The incarnation ended in order (left, or downed and so removed): the next one need not wait.</summary>
    public void Dispose()
    {
        if (touching is null) return;
        touching.Dispose();
        File.Delete(path);
    }
}
