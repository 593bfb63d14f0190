using System.Collections.Immutable;

namespace ActorTrain.Data.Dedup;

/// <summary>
/// The pure state of one bucket of the distributed dedup index (a `dedup-index` entity owns the keys
/// that hash to its bucket: exact content hashes and MinHash band keys). Every document claims its
/// keys; for each key the smallest document id owns it. A document survives when it owns every key
/// it claimed, in every bucket — so which copy survives depends only on the ids, never on arrival
/// order, timing, or how many shards and nodes there are.
/// </summary>
public sealed record DuplicateClaims(ImmutableDictionary<ulong, string> Owners)
{
    public static readonly DuplicateClaims Empty = new(ImmutableDictionary<ulong, string>.Empty);

    /// <summary>Records a claim; the smaller id keeps (or takes over) the key.</summary>
    public DuplicateClaims Claim(ulong key, string documentId) =>
        Takes(Owners.GetValueOrDefault(key), documentId) ? new DuplicateClaims(Owners.SetItem(key, documentId)) : this;

    /// <summary>The rule: a claim takes a key nobody owns, or one owned by a larger id.</summary>
    public static bool Takes(string? owner, string documentId) => owner is null || string.CompareOrdinal(owner, documentId) > 0;

    /// <summary>The owner of a key once every claim is in (null if nobody claimed it).</summary>
    public string? OwnerOf(ulong key) => Owners.GetValueOrDefault(key);

    /// <summary>Whether <paramref name="documentId"/> won all of <paramref name="keys"/> in this bucket.</summary>
    public bool Owns(string documentId, IEnumerable<ulong> keys) => keys.All(k => OwnerOf(k) == documentId);
}
