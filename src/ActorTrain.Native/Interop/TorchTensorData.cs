using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ActorTrain.Native.Interop;

/// <summary>
/// The address of a tensor's first element, whatever its dtype and device: libtorch's own
/// Tensor::data_ptr() through the function TorchSharp's native library exports for it. TorchSharp
/// 0.107 has no public data_ptr, and its storage&lt;T&gt;() accessor reads bfloat16 and float16
/// tensors as float (an address measured wrong by AttentionRoutingTests).
/// </summary>
internal static partial class TorchTensorData
{
    [LibraryImport("LibTorchSharp")]
    private static partial nint THSTensor_data(nint tensor);

    public static nint Address(Tensor t)
    {
        nint address = THSTensor_data(t.Handle);
        if (address == 0 && t.numel() > 0)
            throw new InvalidOperationException($"libtorch returned no data pointer for a {t.dtype} tensor on {t.device}");
        GC.KeepAlive(t);
        return address;
    }
}
