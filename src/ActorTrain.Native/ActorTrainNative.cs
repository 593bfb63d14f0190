using ActorTrain.Native.Interop;

namespace ActorTrain.Native;

/// <summary>
/// What the loaded native library is and what this CPU lets it do. The first use loads the library
/// and refuses one whose ABI differs from the one this assembly was compiled against.
/// </summary>
public static class ActorTrainNative
{
    static ActorTrainNative()
    {
        NativeLibraryResolver.Install();
        int abi = NativeMethods.at_abi_version();
        if (abi != NativeMethods.ExpectedAbiVersion)
        {
            throw new NativeException(NativeStatus.Unsupported,
                $"{NativeLibraryResolver.LoadedPath} has ABI version {abi}, but ActorTrain.Native expects " +
                $"{NativeMethods.ExpectedAbiVersion}: rebuild native/ from the same checkout.");
        }
        long nativeParamsSize = NativeMethods.at_attention_params_size();
        if (nativeParamsSize != System.Runtime.InteropServices.Marshal.SizeOf<AttentionParams>())
        {
            throw new NativeException(NativeStatus.Internal,
                $"at_attention_params is {nativeParamsSize} bytes in {NativeLibraryResolver.LoadedPath} but " +
                $"{System.Runtime.InteropServices.Marshal.SizeOf<AttentionParams>()} in ActorTrain.Native: the bindings are out of date.");
        }
    }

    /// <summary>Loads and checks the library (runs the static constructor) before a raw native call.</summary>
    internal static void EnsureLoaded()
    {
    }

    /// <summary>The library's version, e.g. "0.1.0".</summary>
    public static string Version => NativeMethods.Utf8(NativeMethods.at_version());

    public static int AbiVersion => NativeMethods.at_abi_version();

    /// <summary>Full path of the library file this process loaded.</summary>
    public static string LibraryPath => NativeLibraryResolver.LoadedPath ?? NativeMethods.LibraryName;

    public static CpuFeatures CpuFeatures => (CpuFeatures)NativeMethods.at_cpu_features();

    /// <summary>The best ISA this CPU supports.</summary>
    public static Isa CpuIsa => NativeMethods.at_cpu_isa();

    /// <summary>The ISA the kernels dispatch to now (CPU's best, capped by <see cref="LimitIsa"/>).</summary>
    public static Isa ActiveIsa => NativeMethods.at_active_isa();

    /// <summary>True when the library was built with CUDA kernels (CMake found a CUDA compiler).</summary>
    public static bool CudaCompiled => NativeMethods.at_cuda_compiled() != 0;

    /// <summary>Who runs the kernels' parallel work: "own threads" or the OpenMP runtime libtorch
    /// brought into the process, whose thread team the kernels borrow.</summary>
    public static string ParallelBackend => NativeMethods.Utf8(NativeMethods.at_parallel_backend());

    /// <summary>Scratch buffers the attention kernels hold (in use, or kept for reuse): lent per call and per work item,
    /// they number as many as were in use at once, not one per thread that ever ran a kernel.</summary>
    public static long AttentionScratchBuffers => NativeMethods.at_attention_scratch_buffers();

    /// <summary>Caps kernel dispatch at <paramref name="limit"/> for the whole process.</summary>
    public static void LimitIsa(Isa limit) => NativeMethods.ThrowIfFailed(NativeMethods.at_set_isa_limit(limit));

    /// <summary>Parses "scalar", "avx2", "avx512" or "amx" with the library's own parser.</summary>
    public static Isa ParseIsa(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        NativeMethods.ThrowIfFailed(NativeMethods.at_parse_isa(name, out Isa isa));
        return isa;
    }

    public static string NameOf(Isa isa) => NativeMethods.Utf8(NativeMethods.at_isa_name(isa));
}
