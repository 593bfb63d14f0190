namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>
/// Hash tables that a filter fills and empties many times per document (the repetition filter: one per n and unit),
/// kept per thread and cleared rather than allocated each time: they were two thirds of the cleaning stages'
/// allocations. A table grown far beyond what it is asked for (after a huge document) is dropped, so that clearing it
/// does not cost every small document after it.
/// </summary>
internal static class HashTablesOfThread
{
    [ThreadStatic] private static HashSet<ulong>? set;
    [ThreadStatic] private static Dictionary<ulong, int>? counts;

    /// <summary>An empty set for about <paramref name="size"/> items; valid until the next call on this thread.</summary>
    public static HashSet<ulong> EmptySet(int size)
    {
        if (set is null || set.EnsureCapacity(0) > Oversized(size)) set = new HashSet<ulong>(size);
        else set.Clear();
        return set;
    }

    /// <summary>An empty count table for about <paramref name="size"/> keys; valid until the next call on this thread.</summary>
    public static Dictionary<ulong, int> EmptyCounts(int size)
    {
        if (counts is null || counts.EnsureCapacity(0) > Oversized(size)) counts = new Dictionary<ulong, int>(size);
        else counts.Clear();
        return counts;
    }

    private static int Oversized(int size) => Math.Max(4 * size, 4096);
}
