using ActorTrain.Native.Versioning;
using TorchSharp;

namespace ActorTrain.Native.Torch;

/// <summary>Facts about the TorchSharp/libtorch pair this process runs on.</summary>
public static class TorchRuntime
{
    /// <summary>TorchSharp's package version, e.g. "0.107.0".</summary>
    public static string TorchSharpVersion => InformationalVersion.Of(typeof(torch).Assembly);

    /// <summary>The libtorch version TorchSharp was built against, e.g. "2.10.0".</summary>
    public static string LibTorchVersion => torch.__version__;

    /// <summary>Intra-op threads libtorch uses for CPU kernels. Loads the native libraries.</summary>
    public static int Threads => torch.get_num_threads();
}
