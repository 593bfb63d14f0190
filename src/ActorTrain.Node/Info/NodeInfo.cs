using System.Text.Json.Serialization;

namespace ActorTrain.Node.Info;

/// <summary>Everything `actortrain info` reports. A section with an Error is a broken piece.</summary>
public sealed record NodeInfo(
    [property: JsonPropertyName("actortrain")] ActorTrainInfo ActorTrain,
    DotnetInfo Dotnet,
    AkkaInfo Akka,
    TorchInfo Torch,
    NativeInfo Native,
    JournalInfo Journal)
{
    public bool Ok => Torch.Error is null && Native.Error is null && Journal.Ok;

    /// <summary>One sentence per broken piece, naming it.</summary>
    public IEnumerable<string> Failures()
    {
        if (Torch.Error is not null) yield return $"torch: {Torch.Error}";
        if (Native.Error is not null) yield return $"native: {Native.Error}";
        if (!Journal.Ok) yield return $"journal {Journal.Target}: {Journal.Error}";
    }
}

public sealed record ActorTrainInfo(string Version);

public sealed record DotnetInfo(string Version, string Framework, string RuntimeIdentifier);

public sealed record AkkaInfo(string Version);

public sealed record TorchInfo(
    [property: JsonPropertyName("torchsharp")] string? TorchSharp,
    [property: JsonPropertyName("libtorch")] string? LibTorch,
    int? Threads,
    string? Error);

public sealed record NativeInfo(
    string? Path,
    string? Version,
    string? Isa,
    string? ActiveIsa,
    IReadOnlyList<string> Features,
    bool? CudaCompiled,
    string? ParallelBackend,
    string? Error);

public sealed record JournalInfo(string Backend, string Target, bool Ok, double RoundTripMs, string? Error);
