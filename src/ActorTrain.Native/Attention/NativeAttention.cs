using ActorTrain.Native.Interop;
using static TorchSharp.torch;

namespace ActorTrain.Native.Attention;

/// <summary>Calls at_attention_forward / at_attention_backward in place, through the tensors'
/// strides: CPU float32 tensors for the CPU kernels, CUDA bfloat16/float16 ones (device pointers,
/// the default stream) for the CUDA kernels. No tensor is copied on the way in, except a CUDA one
/// whose layout the kernels cannot read (<see cref="FitForCuda"/>).</summary>
internal static class NativeAttention
{
    /// <summary>Fills <paramref name="output"/> (shaped as q) and <paramref name="lse"/> (B, H, Tq).</summary>
    public static void Forward(AttentionInputs inputs, Tensor? keyLengths32, Tensor output, Tensor lse)
    {
        var parameters = Parameters(inputs, keyLengths32);
        parameters.Out = View(output);
        SetLse(ref parameters, lse);
        ActorTrainNative.EnsureLoaded();
        NativeMethods.ThrowIfFailed(NativeMethods.at_attention_forward(parameters));
        GC.KeepAlive(inputs);
        GC.KeepAlive(keyLengths32);
        GC.KeepAlive(output);
        GC.KeepAlive(lse);
    }

    /// <summary>Fills dq, dk, dv from the forward's out and lse and the incoming gradient.</summary>
    public static void Backward(AttentionInputs inputs, Tensor? keyLengths32, Tensor output, Tensor lse, Tensor dOut, Tensor dq, Tensor dk, Tensor dv)
    {
        var parameters = Parameters(inputs, keyLengths32);
        parameters.Out = View(output);
        SetLse(ref parameters, lse);
        parameters.DOut = View(dOut);
        parameters.DQ = View(dq);
        parameters.DK = View(dk);
        parameters.DV = View(dv);
        ActorTrainNative.EnsureLoaded();
        NativeMethods.ThrowIfFailed(NativeMethods.at_attention_backward(parameters));
        GC.KeepAlive(inputs);
        GC.KeepAlive(keyLengths32);
        GC.KeepAlive(new[] { output, lse, dOut, dq, dk, dv });
    }

    /// <summary>The tensor itself where the CUDA kernels can read it in place (head dim contiguous,
    /// rows on 16 bytes), else a contiguous copy. CPU tensors are returned as they are.</summary>
    public static Tensor FitForCuda(Tensor t)
    {
        if (t.device_type != TorchSharp.DeviceType.CUDA) return t;
        const long elementsPer16Bytes = 8; // two-byte elements
        bool fits = t.stride(3) == 1 && t.stride(0) % elementsPer16Bytes == 0 && t.stride(1) % elementsPer16Bytes == 0 &&
                    t.stride(2) % elementsPer16Bytes == 0 && Address(t) % 16 == 0;
        return fits ? t : t.contiguous();
    }

    private static AttentionParams Parameters(AttentionInputs inputs, Tensor? keyLengths32) => new()
    {
        Dtype = DtypeCode(inputs.Q.dtype),
        Device = inputs.Q.device_type == TorchSharp.DeviceType.CUDA ? 1 : 0, // AT_DEVICE_CUDA : AT_DEVICE_CPU
        Batch = inputs.Batch,
        Heads = inputs.Heads,
        QueryLength = inputs.QueryLength,
        KeyLength = inputs.KeyLength,
        HeadDim = inputs.HeadDim,
        Scale = (float)inputs.Scale,
        Causal = inputs.Causal ? 1 : 0,
        CausalOffset = 0, // top-left aligned, as torch's is_causal
        KeyLengths = keyLengths32 is null ? 0 : Address(keyLengths32),
        Threads = Math.Clamp(get_num_threads(), 1, 1024),
        Q = View(inputs.Q),
        K = View(inputs.K),
        V = View(inputs.V),
    };

    // at_dtype: AT_DTYPE_F32, AT_DTYPE_BF16, AT_DTYPE_F16; the router sends no other dtype here.
    private static int DtypeCode(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => 0,
        ScalarType.BFloat16 => 1,
        ScalarType.Float16 => 2,
        _ => throw new ArgumentException($"the native attention kernels take Float32, BFloat16 or Float16, not {dtype}"),
    };

    private static void SetLse(ref AttentionParams parameters, Tensor lse)
    {
        parameters.Lse = Address(lse);
        parameters.LseStrideBatch = lse.stride(0);
        parameters.LseStrideHead = lse.stride(1);
        parameters.LseStrideToken = lse.stride(2);
    }

    private static Tensor4 View(Tensor t) => new()
    {
        Data = Address(t),
        StrideBatch = t.stride(0),
        StrideHead = t.stride(1),
        StrideToken = t.stride(2),
        StrideDim = t.stride(3),
    };

    /// <summary>The address of a view's first element, on whatever device it lives.</summary>
    internal static nint Address(Tensor t) => TorchTensorData.Address(t);
}
