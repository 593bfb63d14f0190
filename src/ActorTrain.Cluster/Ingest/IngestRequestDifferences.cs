using ActorTrain.Protocol.Ingest;

namespace ActorTrain.Cluster.Ingest;

/// <summary>
/// How a request to start an ingest job differs from the one its job journaled, as the options that made them. A job
/// that exists carries on with its own settings whatever it is asked; a command that asked for others would otherwise
/// report the old job as if it were the new one ("0 of 0 documents kept" for sources it never read).
/// </summary>
public static class IngestRequestDifferences
{
    private const int NamedSources = 3;

    /// <returns>One phrase per option that differs ("--shards: 4 journaled, 8 asked"); empty when they agree.</returns>
    /// <remarks>The sources are compared only when the journal holds them: a request of more than
    /// <see cref="IngestJobEvents.Submitted.JournaledSources"/> sources is journaled without them.</remarks>
    public static IReadOnlyList<string> Between(IngestJobCommands.Start journaled, IngestJobCommands.Start asked)
    {
        var differences = new List<string>();
        if (journaled.Sources.Length > 0 && SetDifference("--source", journaled.Sources, asked.Sources) is { } sources) differences.Add(sources);
        if (SetDifference("--include", journaled.Include, asked.Include) is { } include) differences.Add(include);
        if (SetDifference("--exclude", journaled.Exclude, asked.Exclude) is { } exclude) differences.Add(exclude);
        Compare(differences, "--shards", journaled.Shards, asked.Shards);
        Compare(differences, "--output", journaled.OutputDirectory, asked.OutputDirectory);
        Compare(differences, "--tokenizer", journaled.Tokenizer ?? "none", asked.Tokenizer ?? "none");
        Compare(differences, "--validation-fraction", journaled.ValidationFraction, asked.ValidationFraction);
        return differences;
    }

    /// <summary>The refusal a command gives, naming the job and every option that differs.</summary>
    public static string Refusal(string job, IReadOnlyList<string> differences) =>
        $"job {job} exists with other settings ({string.Join("; ", differences)}): the same options resume it, another --job takes new ones";

    private static void Compare<T>(List<string> differences, string option, T journaled, T asked)
    {
        if (!EqualityComparer<T>.Default.Equals(journaled, asked)) differences.Add($"{option}: {journaled} journaled, {asked} asked");
    }

    // Order does not matter to a job: its files are listed in one fixed order, and globs match as a set.
    private static string? SetDifference(string option, IEnumerable<string> journaled, IEnumerable<string> asked)
    {
        var before = journaled.ToHashSet(StringComparer.Ordinal);
        var now = asked.ToHashSet(StringComparer.Ordinal);
        if (before.SetEquals(now)) return null;
        var parts = new List<string>();
        if (now.Except(before).ToList() is { Count: > 0 } added) parts.Add($"{Named(added)} not journaled");
        if (before.Except(now).ToList() is { Count: > 0 } missing) parts.Add($"{Named(missing)} journaled, not asked");
        return $"{option}: {string.Join(", ", parts)}";
    }

    private static string Named(IReadOnlyList<string> values) =>
        string.Join(" ", values.Take(NamedSources)) + (values.Count > NamedSources ? $" and {values.Count - NamedSources} more" : "");
}
