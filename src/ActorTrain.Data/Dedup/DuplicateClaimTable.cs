using System.Collections.Immutable;
using ActorTrain.Data.Collection;

namespace ActorTrain.Data.Dedup;

/// <summary>
/// The claims of <see cref="DuplicateClaims"/> (the same rule: the smallest id owns a key) in a mutable table, for the
/// one owner of a set of keys (a dedup-index bucket, or <see cref="Ingest.SequentialIngest"/>); snapshots take its
/// columns (<see cref="ToColumns"/>). The immutable form, updated per claim, rebuilt a path of its tree each time: 14x slower on 40 000
/// documents' keys, and garbage that kept the background collector busy.
/// An owner is held as its source's number in this table and its record, not as its id: a string per key (each claim
/// brought its own copy) came to 183 bytes of heap per key, 110 MB for the 600 000 keys of 40 MB of web-like text (ids
/// of 70 characters); this is 40 bytes per key, and a claim takes 120 ns instead of 210-350.
/// </summary>
public sealed class DuplicateClaimTable
{
    private readonly Dictionary<ulong, Owner> owners = [];
    private readonly List<string> sources = [];
    private readonly Dictionary<string, int> sourceNumbers = new(StringComparer.Ordinal);

    /// <summary>Keys claimed so far.</summary>
    public int Count => owners.Count;

    public static DuplicateClaimTable From(DuplicateClaims claims)
    {
        var table = new DuplicateClaimTable();
        foreach (var (key, documentId) in claims.Owners) table.Claim(key, documentId);
        return table;
    }

    public static DuplicateClaimTable From(DuplicateClaimColumns columns)
    {
        var table = new DuplicateClaimTable();
        var numbers = columns.Sources.Select(table.SourceNumber).ToArray();
        for (int i = 0; i < columns.Keys.Length; i++) table.Claim(columns.Keys[i], numbers[columns.Source[i]], columns.Record[i]);
        return table;
    }

    /// <summary>A copy that later claims do not change.</summary>
    public DuplicateClaimColumns ToColumns()
    {
        var (keys, source, record) = (new ulong[owners.Count], new int[owners.Count], new long[owners.Count]);
        int i = 0;
        foreach (var (key, owner) in owners) (keys[i], source[i], record[i], i) = (key, owner.Source, owner.Record, i + 1);
        return new DuplicateClaimColumns([.. sources], [.. keys], [.. source], [.. record]);
    }

    /// <summary>The number this table gives <paramref name="source"/>, for <see cref="Claim(ulong, int, long)"/>.</summary>
    public int SourceNumber(string source)
    {
        if (!sourceNumbers.TryGetValue(source, out int number))
        {
            number = sourceNumbers[source] = sources.Count;
            sources.Add(source);
        }
        return number;
    }

    /// <exception cref="ArgumentException"><paramref name="documentId"/> is not SOURCE#RECORD.</exception>
    public void Claim(ulong key, string documentId)
    {
        var (source, record) = DocumentIds.Parse(documentId);
        Claim(key, SourceNumber(source), record);
    }

    /// <summary>A claim by record <paramref name="record"/> of the source numbered <paramref name="source"/> by <see cref="SourceNumber"/>.</summary>
    public void Claim(ulong key, int source, long record)
    {
        var claim = new Owner(source, record);
        if (!owners.TryGetValue(key, out var owner) || (owner != claim && Compare(claim, owner) < 0)) owners[key] = claim;
    }

    /// <summary>The owner of a key once every claim is in (null if nobody claimed it).</summary>
    public string? OwnerOf(ulong key) => owners.TryGetValue(key, out var owner) ? DocumentIds.For(sources[owner.Source], owner.Record) : null;

    /// <summary>Whether <paramref name="documentId"/> won all of <paramref name="keys"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="documentId"/> is not SOURCE#RECORD.</exception>
    public bool Owns(string documentId, IEnumerable<ulong> keys)
    {
        var (source, record) = DocumentIds.Parse(documentId);
        if (!sourceNumbers.TryGetValue(source, out int number)) return !keys.Any();
        var document = new Owner(number, record);
        return keys.All(key => owners.TryGetValue(key, out var owner) && owner == document);
    }

    private int Compare(Owner a, Owner b) => DocumentIds.CompareOrdinal(sources[a.Source], a.Record, sources[b.Source], b.Record);

    private readonly record struct Owner(int Source, long Record);
}
