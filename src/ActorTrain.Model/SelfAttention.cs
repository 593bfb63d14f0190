using ActorTrain.Native.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>Multi-head self-attention: one projection to q, k, v, attention by the configured kind, an output projection.</summary>
public sealed class SelfAttention : nn.Module
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly int heads;
    private readonly AttentionKind kind;

    public SelfAttention(ModelConfig config) : base("attention")
    {
        qkv = nn.Linear(config.Embedding, 3 * config.Embedding);
        proj = nn.Linear(config.Embedding, config.Embedding);
        heads = config.Heads;
        kind = config.Attention;
        RegisterComponents();
    }

    internal Linear Output => proj;

    /// <param name="x">(B, T, C)</param>
    public Tensor Forward(Tensor x, bool causal)
    {
        long batch = x.size(0), time = x.size(1), channels = x.size(2);
        using var projected = qkv.forward(x);
        var parts = projected.view(batch, time, 3, heads, channels / heads).unbind(2);
        // (B, T, H, D) views transposed to (B, H, T, D): the fused kernels take the strides as they are.
        using var q = parts[0].transpose(1, 2);
        using var k = parts[1].transpose(1, 2);
        using var v = parts[2].transpose(1, 2);
        foreach (var part in parts) part.Dispose();
        using var attended = kind switch
        {
            AttentionKind.Fused => FusedAttention.Apply(q, k, v, causal),
            AttentionKind.Sdpa => nn.functional.scaled_dot_product_attention(q, k, v, is_casual: causal),
            _ => NaiveAttention(q, k, v, causal),
        };
        using var merged = attended.transpose(1, 2).reshape(batch, time, channels);
        return proj.forward(merged);
    }

    private static Tensor NaiveAttention(Tensor q, Tensor k, Tensor v, bool causal)
    {
        using var scope = NewDisposeScope();
        using var scalars = new OwnedScalars();
        long time = q.size(2);
        var scores = matmul(q, k.transpose(-2, -1)).mul(scalars.Of(1.0 / Math.Sqrt(q.size(3))));
        if (causal) scores = scores.masked_fill(ones(time, time, dtype: ScalarType.Bool).triu(1), scalars.Of(double.NegativeInfinity));
        return matmul(scores.softmax(-1), v).MoveToOuterDisposeScope();
    }
}
