using static TorchSharp.torch;

namespace ActorTrain.Native.Attention;

/// <summary>
/// The fused attention as a TorchSharp autograd function: forward and backward both run the
/// native kernels. The one output is out; lse stays in the context for backward. The function
/// object is a singleton, so everything per call lives in the context.
/// </summary>
internal sealed class FusedAttentionFunction : autograd.MultiTensorFunction<FusedAttentionFunction>
{
    private const string InputsKey = "inputs";

    public override string Name => "ActorTrainFusedAttention";

    // vars: q, k, v, keyLengths32 (Tensor or null), AttentionInputs.
    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var inputs = (AttentionInputs)vars[4];
        var keyLengths32 = vars[3] as Tensor;
        var (output, lse) = Run(inputs, keyLengths32);
        // Detached aliases: saving the outputs themselves would tie them to this node's graph.
        ctx.save_for_backward([inputs.Q, inputs.K, inputs.V, output.detach(), lse, keyLengths32]);
        ctx.save_data(InputsKey, inputs with { Q = null!, K = null!, V = null!, KeyLengths = null });
        // lse is not an output: TorchSharp 0.107 hands the tensors marked non-differentiable to native code in
        // an array it has already unpinned, and a GC compaction then crashes the process
        // (FusedAttentionGcStressTests). An unused out gets no zeros allocated for its gradient.
        ctx.set_materialize_grads(false);
        return [output];
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> gradients)
    {
        var saved = ctx.get_saved_variables();
        var (q, k, v, output, lse, keyLengths32) = (saved[0], saved[1], saved[2], saved[3], saved[4], saved[5]);
        var inputs = (AttentionInputs)ctx.get_data(InputsKey) with { Q = q, K = k, V = v };
        if (gradients[0] is null || gradients[0].IsInvalid) return [null!, null!, null!, null!, null!]; // out unused
        var dq = empty_like(q);
        var dk = empty_like(k);
        var dv = empty_like(v);
        var dOut = NativeAttention.FitForCuda(gradients[0]);
        NativeAttention.Backward(inputs, keyLengths32 is null || keyLengths32.IsInvalid ? null : keyLengths32, output, lse, dOut, dq, dk, dv);
        // One entry per forward argument: q, k, v, keyLengths, inputs.
        return [dq, dk, dv, null!, null!];
    }

    /// <summary>The forward pass alone, also used when no gradient is needed.</summary>
    public static (Tensor Out, Tensor Lse) Run(AttentionInputs inputs, Tensor? keyLengths32)
    {
        var output = empty_like(inputs.Q); // keeps q's memory layout: a (B,T,H,D) view gives a (B,T,H,D) out
        var lse = empty(inputs.Batch, inputs.Heads, inputs.QueryLength, dtype: ScalarType.Float32, device: inputs.Q.device);
        NativeAttention.Forward(inputs, keyLengths32, output, lse);
        return (output, lse);
    }
}
