using ActorTrain.Native.Attention;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Native.Tests;

/// <summary>
/// Which implementation an attention call takes. TorchSharp's CUDA packages are not served here, so
/// the CUDA route is checked through the choice itself, with the capability reported both ways (the
/// library CI builds reports it false: NativeCapabilitiesTests); the kernels behind it are checked on
/// the device machine (benchmarks/gpu).
/// </summary>
public sealed class AttentionRoutingTests
{
    [Theory]
    [InlineData(DeviceType.CPU, ScalarType.Float32, 64, false, "CpuKernels")]
    [InlineData(DeviceType.CPU, ScalarType.Float32, 128, true, "CpuKernels")]
    [InlineData(DeviceType.CPU, ScalarType.BFloat16, 64, true, "Sdpa")]
    [InlineData(DeviceType.CPU, ScalarType.Float64, 64, false, "Sdpa")]
    [InlineData(DeviceType.CUDA, ScalarType.BFloat16, 64, true, "CudaKernels")]
    [InlineData(DeviceType.CUDA, ScalarType.Float16, 128, true, "CudaKernels")]
    [InlineData(DeviceType.CUDA, ScalarType.BFloat16, 128, false, "Sdpa")]   // library built without CUDA
    [InlineData(DeviceType.CUDA, ScalarType.BFloat16, 96, true, "Sdpa")]     // head dims the kernels lack
    [InlineData(DeviceType.CUDA, ScalarType.BFloat16, 256, true, "Sdpa")]
    [InlineData(DeviceType.CUDA, ScalarType.Float32, 64, true, "Sdpa")]      // fp32 on a GPU stays with libtorch
    public void The_route_follows_device_dtype_head_dim_and_capability(DeviceType device, ScalarType dtype, long headDim,
        bool cudaKernels, string expected) =>
        Assert.Equal(expected, AttentionRouting.Choose(device, dtype, headDim, cudaKernels).ToString());

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.Float32)]
    public void The_address_handed_to_the_kernels_is_the_views_first_element(ScalarType dtype)
    {
        // A view with a storage offset: the address must be its first element's, in its own element size
        // (TorchSharp's storage accessor reads every floating dtype as float).
        using var scope = NewDisposeScope();
        var whole = arange(0, 64, dtype: ScalarType.Float32).to(dtype).reshape(2, 2, 4, 4);
        var view = whole[.., .., 1..];
        Assert.True(view.storage_offset() > 0);
        var first = view.flatten()[0].to(ScalarType.Float32).item<float>();
        short bits = System.Runtime.InteropServices.Marshal.ReadInt16(NativeAttention.Address(view));
        float read = dtype switch
        {
            ScalarType.BFloat16 => BitConverter.Int32BitsToSingle(bits << 16),
            ScalarType.Float16 => (float)BitConverter.Int16BitsToHalf(bits),
            _ => BitConverter.Int32BitsToSingle(System.Runtime.InteropServices.Marshal.ReadInt32(NativeAttention.Address(view))),
        };
        Assert.Equal(first, read);
    }
}
