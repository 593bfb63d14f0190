using System.IO.Hashing;
using System.Text;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Dedup;

/// <summary>The keys a cleaned document claims in the dedup index: one exact key (XxHash3 of the
/// text) and one LSH key per MinHash band.</summary>
public readonly record struct DedupKeys(ulong Exact, ulong[] Bands)
{
    public static DedupKeys Of(Document document, MinHashSignature minHash) =>
        new(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(document.Text)), minHash.BandKeys(minHash.Compute(document.Text)));
}
