using System.Buffers;
using System.IO.Hashing;
using System.Text;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Dedup;

/// <summary>The keys a cleaned document claims in the dedup index: one exact key (XxHash3 of the
/// text) and one LSH key per MinHash band.</summary>
public readonly record struct DedupKeys(ulong Exact, ulong[] Bands)
{
    public static DedupKeys Of(Document document, MinHashSignature minHash) =>
        new(ExactKey(document.Text), minHash.BandKeys(minHash.Compute(document.Text)));

    // The text's UTF-8 bytes in a pooled buffer: one array the size of the document per document adds up.
    private static ulong ExactKey(string text)
    {
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(text));
        try
        {
            return XxHash3.HashToUInt64(utf8.AsSpan(0, Encoding.UTF8.GetBytes(text, utf8)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }
}
