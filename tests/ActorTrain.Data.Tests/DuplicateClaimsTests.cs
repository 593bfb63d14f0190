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

    private static IEnumerable<T[]> Permutations<T>(T[] items) =>
        items.Length <= 1 ? [items] : items.SelectMany((item, i) => Permutations(items.Where((_, j) => j != i).ToArray()).Select(rest => new[] { item }.Concat(rest).ToArray()));
}
