using TorchSharp;

namespace ActorTrain.Model;

/// <summary>
/// Scalars for libtorch calls, each held until the owner is disposed. TorchSharp turns a double passed to a tensor
/// operation into a finalizable <see cref="Scalar"/> that nothing references once its handle is read, so a garbage
/// collection triggered by another thread during the native call can free it while libtorch reads it: a trainer
/// replica failed at step 1 of a demo with "Unknown scalar type" in AdamW's division (dotnet/TorchSharp#1434 is
/// the upstream fix, unmerged). Hot paths pass scalars from here instead; the <c>using</c> keeps them reachable.
/// Overloads that fill in a scalar argument themselves (<c>add_(Scalar)</c>'s alpha of 1) are given one from here
/// too (<c>AdamWGcStressTests</c> fails within a second otherwise).
/// </summary>
public sealed class OwnedScalars : IDisposable
{
    private readonly List<Scalar> owned = [];

    public Scalar Of(double value)
    {
        var scalar = value.ToScalar();
        owned.Add(scalar);
        return scalar;
    }

    public void Dispose()
    {
        foreach (var scalar in owned) scalar.Dispose();
        owned.Clear();
    }
}
