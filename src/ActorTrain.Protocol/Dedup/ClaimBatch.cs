using System.Collections.Immutable;
using ActorTrain.Data.Collection;

namespace ActorTrain.Protocol.Dedup;

/// <summary>
/// Claims on one bucket in columns: each source path once, and for each key its value, its document's source (an
/// index into <paramref name="Sources"/>) and record; the first <paramref name="ExactKeys"/> keys are exact, the rest
/// near. A document id is "source#record" (<see cref="DocumentIds"/>), so the path that made up most
/// of every claim is written once per batch: claims as <see cref="ClaimedKey"/> objects came to 57 MB of journal per
/// 40 MB of text.
/// </summary>
public sealed record ClaimBatch(ImmutableArray<string> Sources, int ExactKeys, ImmutableArray<ulong> Keys, ImmutableArray<int> Source, ImmutableArray<long> Record)
{
    public int Count => Keys.Length;

    /// <exception cref="ArgumentException">A document id that is not "source#record".</exception>
    public static ClaimBatch Of(IEnumerable<ClaimedKey> claims)
    {
        var ordered = claims.OrderBy(c => c.Kind == DedupKind.Exact ? 0 : 1).ToArray(); // stable: keeps each kind's order
        var sources = new Dictionary<string, int>(StringComparer.Ordinal);
        var (source, record) = (new int[ordered.Length], new long[ordered.Length]);
        for (int i = 0; i < ordered.Length; i++)
        {
            var (path, index) = DocumentIds.Parse(ordered[i].DocumentId);
            if (!sources.TryGetValue(path, out source[i])) sources[path] = source[i] = sources.Count;
            record[i] = index;
        }
        return new ClaimBatch([.. sources.OrderBy(s => s.Value).Select(s => s.Key)], ordered.Count(c => c.Kind == DedupKind.Exact),
            [.. ordered.Select(c => c.Key)], [.. source], [.. record]);
    }

    /// <summary>The claims, exact keys first.</summary>
    public IEnumerable<ClaimedKey> Claims()
    {
        for (int i = 0; i < Keys.Length; i++)
            yield return new ClaimedKey(i < ExactKeys ? DedupKind.Exact : DedupKind.Near, Keys[i], DocumentIds.For(Sources[Source[i]], Record[i]));
    }
}
