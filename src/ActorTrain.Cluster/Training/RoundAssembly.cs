using System.Collections.Immutable;

namespace ActorTrain.Cluster.Training;

/// <summary>
/// Whether a run forming a round waits for more replicas or trains with those that answered. A run that (re)starts
/// gives its replicas' nodes up to assemble-timeout to come up before it trains with fewer: a whole cluster restarted
/// resumes at its old world size, and so bit-identically. A run that only moved (its node was downed) finds replicas
/// still holding its state: the missing ones went with that node and come back through the probe, so waiting for them
/// would only stall it. A replica this run prepared while it waited also holds the run's state when asked again; that
/// says nothing of a move, and taken for one it cut the wait short after two prepare-timeouts.
/// </summary>
public sealed class RoundAssembly(TimeSpan assembleTimeout, Func<DateTime> clock)
{
    private DateTime? since;
    private ImmutableSortedSet<int> preparedWhileWaiting = [];

    /// <summary>True when the run should ask again rather than form a round of <paramref name="ready"/> (each replica's
    /// rank, and whether it held the run's state before it was asked). <paramref name="roundLive"/>: some replicas are
    /// training already, so the missing ones join them later and nothing waits.</summary>
    public bool WaitForOthers(IReadOnlyCollection<(int Rank, bool Continuing)> ready, int replicas, bool roundLive)
    {
        var now = clock();
        since ??= now;
        bool moved = ready.Any(r => r.Continuing && !preparedWhileWaiting.Contains(r.Rank));
        bool wait = !roundLive && !moved && ready.Count < replicas && now - since < assembleTimeout;
        if (wait) preparedWhileWaiting = preparedWhileWaiting.Union(ready.Select(r => r.Rank));
        return wait;
    }

    /// <summary>A round formed: the replicas it prepared are its members now.</summary>
    public void Formed() => preparedWhileWaiting = [];

    /// <summary>The run released its replicas: its next round starts a new wait.</summary>
    public void Released()
    {
        since = null;
        preparedWhileWaiting = [];
    }
}
