using System.IO.Hashing;
using System.Text;

namespace ActorTrain.Data.Tokens;

/// <summary>
/// Which documents are held out for validation: those whose text hashes below the fraction. A pure
/// function of the text, so a document lands on the same side in every run, on every shard count.
/// </summary>
public sealed record ValidationSplit(double Fraction)
{
    public bool IsValidation(string text)
    {
        if (Fraction <= 0) return false;
        ulong hash = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(text));
        return hash < Fraction * ulong.MaxValue;
    }
}
