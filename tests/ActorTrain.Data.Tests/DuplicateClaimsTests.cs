using ActorTrain.Data.Dedup;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class DuplicateClaimsTests
{
    [Fact]
    public void The_smallest_id_owns_a_key_whatever_the_order_of_claims()
    {
        var claims = new[] { ("/doc#3", 7UL), ("/doc#1", 7UL), ("/doc#2", 7UL), ("/doc#2", 9UL) };
        foreach (var order in Permutations(claims))
        {
            var state = order.Aggregate(DuplicateClaims.Empty, (s, c) => s.Claim(c.Item2, c.Item1));
            Assert.Equal("/doc#1", state.OwnerOf(7));
            Assert.True(state.Owns("/doc#1", [7]));
            Assert.False(state.Owns("/doc#2", [7, 9]));  // lost 7: a near-duplicate with a smaller id exists
            Assert.Equal("/doc#2", state.OwnerOf(9));
        }
    }

    [Fact]
    public void The_mutable_table_gives_every_key_the_owner_the_immutable_claims_give()
    {
        var random = new Random(41);
        // Sources where ordinal order of the ids is not the order of their parts: "/a" is a prefix of "/a b" and "/a!b"
        // (whose next characters sort before '#') and of "/a/c"; records 9 and 10 compare as text.
        string[] sources = ["/a", "/a b", "/a!b", "/a/c", "/corpus/part-1.jsonl", "/corpus/part-10.jsonl", "/x#y"];
        var claims = Enumerable.Range(0, 5_000)
            .Select(_ => ($"{sources[random.Next(sources.Length)]}#{(random.Next(2) == 0 ? random.Next(12) : random.Next(100_000))}", (ulong)random.Next(500)))
            .ToArray();
        var immutable = claims.Aggregate(DuplicateClaims.Empty, (s, c) => s.Claim(c.Item2, c.Item1));
        var table = new DuplicateClaimTable();
        foreach (var (id, key) in claims) table.Claim(key, id);
        for (ulong key = 0; key < 501; key++) Assert.Equal(immutable.OwnerOf(key), table.OwnerOf(key));
        foreach (var (id, _) in claims.Take(200))
        {
            ulong[] keys = [.. claims.Where(c => c.Item1 == id).Select(c => c.Item2)];
            Assert.Equal(immutable.Owns(id, keys), table.Owns(id, keys));
        }
        Assert.Null(table.OwnerOf(501));
        Assert.False(table.Owns("/never-claimed#0", [1]));
    }

    [Fact]
    public void A_table_comes_back_whole_from_its_columns_and_from_the_immutable_claims()
    {
        var table = new DuplicateClaimTable();
        table.Claim(1, "/b#3");
        table.Claim(1, "/a#7");
        table.Claim(2, "/b#3");
        table.Claim(3, "/x#y#12");
        var columns = table.ToColumns();
        table.Claim(4, "/later#0"); // not in the copy
        Assert.Equal(3, columns.Keys.Length);
        var restored = DuplicateClaimTable.From(columns);
        var converted = DuplicateClaimTable.From(DuplicateClaims.Empty.Claim(1, "/a#7").Claim(2, "/b#3").Claim(3, "/x#y#12"));
        foreach (var copy in new[] { restored, converted })
        {
            Assert.Equal(["/a#7", "/b#3", "/x#y#12", null], new ulong[] { 1, 2, 3, 4 }.Select(copy.OwnerOf));
            copy.Claim(2, "/a#100"); // still takes claims, by the same rule
            Assert.Equal("/a#100", copy.OwnerOf(2));
        }
    }

    [Fact]
    public void An_id_that_is_not_source_hash_record_is_refused_by_the_table()
    {
        var table = new DuplicateClaimTable();
        var error = Assert.Throws<ArgumentException>(() => table.Claim(1, "doc-3"));
        Assert.Contains("'doc-3' is not SOURCE#RECORD", error.Message);
        Assert.Equal(0, table.Count);
    }

    private static IEnumerable<T[]> Permutations<T>(T[] items) =>
        items.Length <= 1 ? [items] : items.SelectMany((item, i) => Permutations(items.Where((_, j) => j != i).ToArray()).Select(rest => new[] { item }.Concat(rest).ToArray()));
}
