using System.Diagnostics;
using ActorTrain.Cluster;
using ActorTrain.Protocol.Training;

namespace ActorTrain.Chaos;

/// <summary>
/// Follows a training run from outside (a cluster client to a node the scenario does not harm, moved by
/// <see cref="AskThroughAsync"/> before the scenario harms it): its state every 250 ms with the time it was
/// seen, and the faults the scenario reports, so that the time from each fault to the run committing steps
/// again can be read off afterwards.
/// </summary>
public sealed class RunWatcher : IAsyncDisposable
{
    // Held while asking, so that AskThroughAsync does not close the connection under a question.
    private readonly SemaphoreSlim asking = new(1, 1);
    private ClusterConnection connection;
    private readonly string run;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<(double Seconds, long NextStep)> seen = [];
    private readonly List<(double Seconds, long NextStep)> faults = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly Task watching;

    public RunWatcher(NodeProcess contact, string run)
    {
        connection = ClusterConnection.Open(contact.Address);
        Contact = contact;
        this.run = run;
        watching = WatchAsync();
    }

    /// <summary>The node asked about the run.</summary>
    public NodeProcess Contact { get; private set; }

    /// <summary>Asks through <paramref name="other"/> from now on: the contact is about to be harmed.</summary>
    public async Task AskThroughAsync(NodeProcess other)
    {
        var opened = ClusterConnection.Open(other.Address);
        await asking.WaitAsync();
        var old = connection;
        try
        {
            connection = opened;
            Contact = other;
        }
        finally
        {
            asking.Release();
        }
        await old.DisposeAsync();
    }

    /// <summary>The newest state seen; null before the first answer.</summary>
    public TrainingRunState? Latest { get; private set; }

    public double Elapsed => clock.Elapsed.TotalSeconds;

    /// <summary>A fault happens now: recovery is measured from here.</summary>
    public void Fault()
    {
        lock (seen) faults.Add((clock.Elapsed.TotalSeconds, Latest?.NextStep ?? 0));
    }

    /// <summary>Waits until the newest state satisfies <paramref name="done"/>.</summary>
    public async Task<TrainingRunState> WaitForAsync(Func<TrainingRunState, bool> done, TimeSpan patience, string what)
    {
        var deadline = DateTime.UtcNow + patience;
        while (Latest is not { } state || !done(state))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what} did not happen within {patience.TotalSeconds:0}s; last seen: step {Latest?.NextStep}, {Latest?.Status}, " +
                                           $"replicas [{string.Join(", ", Latest?.Steps.LastOrDefault()?.Ranks ?? [])}]");
            await Task.Delay(100);
        }
        return Latest!;
    }

    /// <summary>The longest time from a fault to the run having committed two more steps than it had then; -1 when it never did.</summary>
    public double LongestRecoverySeconds()
    {
        lock (seen)
        {
            double longest = 0;
            foreach (var (at, step) in faults)
            {
                var after = seen.FirstOrDefault(s => s.Seconds > at && s.NextStep >= step + 2);
                if (after == default) return -1;
                longest = Math.Max(longest, after.Seconds - at);
            }
            return longest;
        }
    }

    private async Task WatchAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            await asking.WaitAsync();
            try
            {
                var state = await connection.AskRunsAsync<TrainingRunState>(new TrainingRunCommands.GetStatus(run), TimeSpan.FromSeconds(5));
                lock (seen)
                {
                    Latest = state;
                    seen.Add((clock.Elapsed.TotalSeconds, state.NextStep));
                }
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                // The run is failing over, or the journal is away: ask again.
            }
            finally
            {
                asking.Release();
            }
            await Task.Delay(250, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        await watching;
        await connection.DisposeAsync();
        stopping.Dispose();
        asking.Dispose();
    }
}
