namespace ActorTrain.Cluster.Training;

/// <summary>
/// Whether a run forming a round waits for more replicas or trains with those that answered. A run that (re)starts
/// gives its replicas' nodes up to assemble-timeout to come up before it trains with fewer: a whole cluster restarted
/// resumes at its old world size, and so bit-identically. A run that only moved (its node was downed) finds replicas
/// still holding its state at its first ask: the missing ones went with that node and come back through the probe, so
/// waiting for them would only stall it. From the second ask on, a replica holding the run's state may hold it because
/// of the run's own earlier ask (answered, or built too slowly to answer in time); taken for a move, that cut the wait
/// short after two prepare-timeouts, and a restarted run trained with fewer replicas.
/// </summary>
public sealed class RoundAssembly(TimeSpan assembleTimeout, Func<DateTime> clock)
{
    private DateTime? since;
    private int asks;

    /// <summary>The run asks its replicas to prepare.</summary>
    public void Asking() => asks++;

    /// <summary>True when the run should ask again rather than form a round of <paramref name="ready"/> (each replica's
    /// rank, and whether it held the run's state before it was asked). <paramref name="roundLive"/>: some replicas are
    /// training already, so the missing ones join them later and nothing waits.</summary>
    public bool WaitForOthers(IReadOnlyCollection<(int Rank, bool Continuing)> ready, int replicas, bool roundLive)
    {
        var now = clock();
        since ??= now;
        bool moved = asks <= 1 && ready.Any(r => r.Continuing);
        return !roundLive && !moved && ready.Count < replicas && now - since < assembleTimeout;
    }

    /// <summary>A round formed: when it breaks, the first ask of the next one may find a move again.</summary>
    public void Formed() => asks = 0;

    /// <summary>The run released its replicas: its next round starts a new wait.</summary>
    public void Released()
    {
        since = null;
        asks = 0;
    }
}
