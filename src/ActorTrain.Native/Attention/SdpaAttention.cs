using static TorchSharp.torch;

namespace ActorTrain.Native.Attention;

/// <summary>
/// The same function through libtorch's scaled_dot_product_attention: the path for tensors the
/// native kernels do not take (other devices or dtypes), with our conventions kept: an explicit
/// scale, per-batch key lengths, and 0 (not NaN) for a query that sees no key.
/// </summary>
internal static class SdpaAttention
{
    public static Tensor Apply(AttentionInputs inputs)
    {
        using var scope = NewDisposeScope();
        // TorchSharp's SDPA has no scale argument: fold ours into q against its 1/sqrt(head_dim).
        double defaultScale = 1.0 / Math.Sqrt(inputs.HeadDim);
        var q = Math.Abs(inputs.Scale - defaultScale) < 1e-12 * defaultScale ? inputs.Q : inputs.Q * (inputs.Scale / defaultScale);
        if (inputs.KeyLengths is null)
            return nn.functional.scaled_dot_product_attention(q, inputs.K, inputs.V, is_casual: inputs.Causal).MoveToOuterDisposeScope();

        var visible = VisibleKeys(inputs);                                        // (B, 1, Tq, Tk)
        var attended = nn.functional.scaled_dot_product_attention(q, inputs.K, inputs.V, attn_mask: visible);
        var seesSomething = visible.any(-1, keepdim: true);                      // (B, 1, Tq, 1)
        return attended.where(seesSomething, zeros_like(attended)).MoveToOuterDisposeScope();
    }

    // True where query i of batch b may look at key j.
    private static Tensor VisibleKeys(AttentionInputs inputs)
    {
        var device = inputs.Q.device;
        var keys = arange(inputs.KeyLength, device: device);                            // (Tk)
        var lengths = inputs.KeyLengths!.to(ScalarType.Int64, device).view(-1, 1, 1, 1);  // (B, 1, 1, 1)
        var mask = keys.view(1, 1, 1, -1) < lengths;                                     // (B, 1, 1, Tk)
        if (inputs.Causal)
        {
            var queries = arange(inputs.QueryLength, device: device).view(1, 1, -1, 1);
            mask = mask & (keys.view(1, 1, 1, -1) <= queries);                          // (B, 1, Tq, Tk)
        }
        return mask.expand(inputs.Batch, 1, inputs.QueryLength, inputs.KeyLength);
    }
}
