using ActorTrain.Native.Interop;
using static TorchSharp.torch;

namespace ActorTrain.Native.Attention;

/// <summary>
/// softmax(scale * q k^T + mask) v with our fused kernels, differentiable, for (B, H, T, D) tensors
/// of any strides: q.transpose(1, 2) of a (B, T, H, D) projection works without a copy, and the
/// output keeps q's layout. Tensors the kernels do not take (not CPU float32) go to libtorch's
/// scaled_dot_product_attention instead, which is reported once through <see cref="Diagnostics"/>.
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
        if (!NativeAttention.Supports(q))
        {
            ReportFallbackOnce($"{q.dtype} on {q.device}");
            return SdpaAttention.Apply(inputs);
        }
        // No dispose scope of our own here: the autograd node keeps tensors (its output cache) that
        // must live until backward, i.e. as long as the caller's scope.
        var keyLengths32 = keyLengths?.to(ScalarType.Int32).cpu().contiguous();
        bool differentiable = is_grad_enabled() && (q.requires_grad || k.requires_grad || v.requires_grad);
        if (differentiable) return FusedAttentionFunction.apply(q, k, v, keyLengths32!, inputs)[0];
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
        Diagnostics($"ActorTrain FusedAttention: the native kernels take CPU Float32 tensors; {what} goes to libtorch's scaled_dot_product_attention.");
    }
}
