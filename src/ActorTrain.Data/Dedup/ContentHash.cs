using System.IO.Hashing;
using System.Text;

namespace ActorTrain.Data.Dedup;

/// <summary>Exact-duplicate key: 128-bit XxHash3 of the normalised text's UTF-8 bytes, as hex.</summary>
public static class ContentHash
{
    public static string Of(string text) => Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text)));
}
