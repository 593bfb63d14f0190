using ActorTrain.Data.Dedup;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class DuplicateClaimsTests
{
    [Fact]
    public void The_smallest_id_owns_a_key_whatever_the_order_of_claims()
    {
        var claims = new[] { ("doc-3", 7UL), ("doc-1", 7UL), ("doc-2", 7UL), ("doc-2", 9UL) };
        foreach (var order in Permutations(claims))
        {
            var state = order.Aggregate(DuplicateClaims.Empty, (s, c) => s.Claim(c.Item2, c.Item1));
            Assert.Equal("doc-1", state.OwnerOf(7));
            Assert.True(state.Owns("doc-1", [7]));
            Assert.False(state.Owns("doc-2", [7, 9]));  // lost 7: a near-duplicate with a smaller id exists
            Assert.Equal("doc-2", state.OwnerOf(9));
        }
    }

    [Fact]
    public void The_mutable_table_gives_every_key_the_owner_the_immutable_claims_give()
    {
        var random = new Random(41);
        var claims = Enumerable.Range(0, 5_000).Select(_ => ($"doc-{random.Next(2_000):D5}", (ulong)random.Next(500))).ToArray();
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
    }

    private static IEnumerable<T[]> Permutations<T>(T[] items) =>
        items.Length <= 1 ? [items] : items.SelectMany((item, i) => Permutations(items.Where((_, j) => j != i).ToArray()).Select(rest => new[] { item }.Concat(rest).ToArray()));
}
