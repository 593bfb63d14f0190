using ActorTrain.Native.Interop;
using static TorchSharp.torch;

namespace ActorTrain.Native.Attention;

/// <summary>
/// softmax(scale * q k^T + mask) v with our fused kernels, differentiable, for (B, H, T, D) tensors
/// of any strides: q.transpose(1, 2) of a (B, T, H, D) projection works without a copy, and the
/// output keeps q's layout. CPU float32 runs on the CPU kernels; CUDA bfloat16/float16 with
/// head_dim 64 or 128 on the CUDA kernels when the loaded library has them
/// (<see cref="ActorTrainNative.CudaCompiled"/>). Everything else goes to libtorch's
/// scaled_dot_product_attention, which is reported once through <see cref="Diagnostics"/>.
/// </summary>
public static class FusedAttention
{
    private static readonly HashSet<string> ReportedFallbacks = [];

    /// <summary>Where one-time notices go (a fallback to libtorch). Standard error by default.</summary>
    public static Action<string> Diagnostics { get; set; } = message => Console.Error.WriteLine(message);

    /// <param name="q">(B, H, Tq, D)</param>
    /// <param name="k">(B, H, Tk, D)</param>
    /// <param name="v">(B, H, Tk, D)</param>
    /// <param name="causal">Query i sees keys j &lt;= i (top-left aligned, as torch's is_causal).</param>
    /// <param name="keyLengths">Optional (B) Int32/Int64: batch b sees keys j &lt; keyLengths[b].</param>
    /// <param name="scale">Softmax scale; default 1/sqrt(D).</param>
    /// <returns>(B, H, Tq, D); a query that sees no key gets 0.</returns>
    /// <exception cref="ArgumentException">Shapes, dtypes, devices or key lengths do not fit together.</exception>
    public static Tensor Apply(Tensor q, Tensor k, Tensor v, bool causal, Tensor? keyLengths = null, double? scale = null)
    {
        var inputs = AttentionInputs.Check(q, k, v, causal, keyLengths, scale);
        var route = AttentionRouting.For(q, inputs.HeadDim);
        if (route == AttentionRoute.Sdpa)
        {
            ReportFallbackOnce($"{q.dtype} on {q.device} (head_dim {inputs.HeadDim})");
            return SdpaAttention.Apply(inputs);
        }
        if (route == AttentionRoute.CudaKernels)
        {
            inputs = inputs with { Q = NativeAttention.FitForCuda(q), K = NativeAttention.FitForCuda(k), V = NativeAttention.FitForCuda(v) };
        }
        // No dispose scope of our own here: the autograd node keeps tensors (its output cache) that
        // must live until backward, i.e. as long as the caller's scope. Key lengths go where the
        // kernels read them: host memory for the CPU kernels, the tensors' device for the CUDA ones.
        var keyLengths32 = keyLengths?.to(ScalarType.Int32, q.device).contiguous();
        bool differentiable = is_grad_enabled() && (q.requires_grad || k.requires_grad || v.requires_grad);
        if (differentiable) return FusedAttentionFunction.apply(inputs.Q, inputs.K, inputs.V, keyLengths32!, inputs)[0];
        var (output, lse) = FusedAttentionFunction.Run(inputs, keyLengths32);
        lse.Dispose();
        return output;
    }

    private static void ReportFallbackOnce(string what)
    {
        lock (ReportedFallbacks)
        {
            if (!ReportedFallbacks.Add(what)) return;
        }
        Diagnostics("ActorTrain FusedAttention: the native kernels take CPU Float32, and CUDA BFloat16 or Float16 with head_dim 64 " +
                    $"or 128 where the library was built with CUDA; {what} goes to libtorch's scaled_dot_product_attention.");
    }
}
