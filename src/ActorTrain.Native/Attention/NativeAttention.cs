using ActorTrain.Native.Interop;
using static TorchSharp.torch;

namespace ActorTrain.Native.Attention;

/// <summary>Calls at_attention_forward / at_attention_backward on CPU float32 tensors, in place,
/// through their strides: no tensor is copied on the way in.</summary>
internal static class NativeAttention
{
    /// <summary>Whether the native kernels take tensors of this dtype on this device.</summary>
    public static bool Supports(Tensor t) => t.device_type == TorchSharp.DeviceType.CPU && t.dtype == ScalarType.Float32;

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

    private static AttentionParams Parameters(AttentionInputs inputs, Tensor? keyLengths32) => new()
    {
        Dtype = 0, // AT_DTYPE_F32
        Batch = inputs.Batch,
        Heads = inputs.Heads,
        QueryLength = inputs.QueryLength,
        KeyLength = inputs.KeyLength,
        HeadDim = inputs.HeadDim,
        Scale = (float)inputs.Scale,
        Causal = inputs.Causal ? 1 : 0,
        CausalOffset = 0, // top-left aligned, as torch's is_causal
        KeyLengths = keyLengths32 is null ? 0 : Address<int>(keyLengths32),
        Threads = Math.Clamp(get_num_threads(), 1, 1024),
        Q = View(inputs.Q),
        K = View(inputs.K),
        V = View(inputs.V),
    };

    private static void SetLse(ref AttentionParams parameters, Tensor lse)
    {
        parameters.Lse = Address<float>(lse);
        parameters.LseStrideBatch = lse.stride(0);
        parameters.LseStrideHead = lse.stride(1);
        parameters.LseStrideToken = lse.stride(2);
    }

    private static Tensor4 View(Tensor t) => new()
    {
        Data = Address<float>(t),
        StrideBatch = t.stride(0),
        StrideHead = t.stride(1),
        StrideToken = t.stride(2),
        StrideDim = t.stride(3),
    };

    // storage().data_ptr() is the start of the storage, not of this view.
    private static unsafe nint Address<T>(Tensor t) where T : unmanaged =>
        t.storage<T>().data_ptr() + (nint)(t.storage_offset() * sizeof(T));
}
