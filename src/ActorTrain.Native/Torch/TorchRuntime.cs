using System.Reflection;
using TorchSharp;

namespace ActorTrain.Native.Torch;

/// <summary>Facts about the TorchSharp/libtorch pair this process runs on.</summary>
public static class TorchRuntime
{
    /// <summary>TorchSharp's package version, e.g. "0.107.0".</summary>
    public static string TorchSharpVersion => InformationalVersion(typeof(torch).Assembly);

    /// <summary>The libtorch version TorchSharp was built against, e.g. "2.10.0".</summary>
    public static string LibTorchVersion => torch.__version__;

    /// <summary>Intra-op threads libtorch uses for CPU kernels. Loads the native libraries.</summary>
    public static int Threads => torch.get_num_threads();

    internal static string InformationalVersion(Assembly assembly)
    {
        string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(version)) return assembly.GetName().Version?.ToString() ?? "unknown";
        int metadata = version.IndexOf('+');
        return metadata < 0 ? version : version[..metadata];
    }
}
