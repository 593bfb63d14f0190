using static TorchSharp.torch;

namespace ActorTrain.Native.Attention;

/// <summary>Which implementation computes an attention call.</summary>
internal enum AttentionRoute
{
    /// <summary>Our CPU kernels: CPU Float32.</summary>
    CpuKernels,
    /// <summary>Our CUDA kernels: CUDA BFloat16 or Float16, head_dim 64 or 128, in a library built with them.</summary>
    CudaKernels,
    /// <summary>libtorch's scaled_dot_product_attention: everything else.</summary>
    Sdpa,
}

/// <summary>
/// Chooses the route from what the tensors are and what the loaded library can do. TorchSharp's CUDA
/// packages are not served where this is built, so the CUDA route is exercised through this choice
/// (and on the device machine from Python, benchmarks/gpu), not by a .NET test on a GPU.
/// </summary>
internal static class AttentionRouting
{
    public static AttentionRoute For(Tensor q, long headDim) =>
        Choose(q.device_type, q.dtype, headDim, q.device_type == TorchSharp.DeviceType.CUDA && ActorTrainNative.CudaCompiled);

    /// <param name="cudaKernels">Whether the loaded library has CUDA kernels (at_cuda_compiled).</param>
    public static AttentionRoute Choose(TorchSharp.DeviceType device, ScalarType dtype, long headDim, bool cudaKernels) => device switch
    {
        TorchSharp.DeviceType.CPU when dtype == ScalarType.Float32 => AttentionRoute.CpuKernels,
        TorchSharp.DeviceType.CUDA when cudaKernels && dtype is (ScalarType.BFloat16 or ScalarType.Float16) && headDim is (64 or 128)
            => AttentionRoute.CudaKernels,
        _ => AttentionRoute.Sdpa,
    };
}
