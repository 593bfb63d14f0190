using System.Text.RegularExpressions;

namespace ActorTrain.Chaos;

/// <summary>What the nodes' own log lines say about a run: the step attempts that failed, and the errors they surfaced.</summary>
public static partial class NodeLogs
{
    /// <summary>Step attempts that failed and were re-formed ("run R step N: failed in round ...").</summary>
    public static long StepsRedone(IEnumerable<NodeProcess> nodes, string run) =>
        nodes.Sum(n => Regex.Matches(n.Output, $@"run {Regex.Escape(run)} step \d+: failed in round").Count);

    /// <summary>The distinct errors, and the warnings about <paramref name="run"/> (if any), numbers and addresses
    /// blanked so that the same trouble counts once.</summary>
    public static IReadOnlyList<string> Errors(IEnumerable<NodeProcess> nodes, string? run)
    {
        var messages = nodes.SelectMany(n => n.Output.Split('\n'))
            .Select(line => LogLine().Match(line))
            .Where(m => m.Success && (m.Groups["level"].Value == "ERR" || (run is not null && m.Groups["message"].Value.Contains($"run {run} ", StringComparison.Ordinal))))
            .Select(m => $"{m.Groups["level"].Value} {Numbers().Replace(m.Groups["message"].Value.Trim(), "#")}");
        return [.. messages.Distinct().Order(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"\[\d\d:\d\d:\d\d\.\d{3} (?<level>ERR|WRN)\] \[[^\]]+\] \S+: (?<message>.*)$")]
    private static partial Regex LogLine();

    [GeneratedRegex(@"\d+(\.\d+)*")]
    private static partial Regex Numbers();
}
