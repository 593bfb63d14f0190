namespace ActorTrain.Cluster.Training;

/// <summary>
/// The run's failures since it last committed a step: a step dropped, a step no replica could apply, a round that
/// could not be brought up to date. The run re-forms after each, which mends what the cluster broke (a node died, a
/// ring peer hung) within a failure or two. A replica that fails the same way every time (an update that always
/// throws) would loop unseen: past <see cref="Limit"/> failures in a row the run says so as its problem, while it
/// keeps trying. A committed step ends the spell.
/// </summary>
public sealed class FailuresInARow
{
    public const int Limit = 5;
    private int count;
    private long step;
    private string? last;

    /// <summary>The run's problem while failures keep coming; null otherwise.</summary>
    public string? Problem => count >= Limit ? $"{count} failures in a row at step {step} with no step committed; the last: {last}" : null;

    /// <summary>Counts one; true when this one makes it a problem.</summary>
    public bool Add(long atStep, string reason)
    {
        count++;
        step = atStep;
        last = reason;
        return count == Limit;
    }

    public void Committed()
    {
        count = 0;
        last = null;
    }
}
