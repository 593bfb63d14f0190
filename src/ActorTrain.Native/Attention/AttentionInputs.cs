using static TorchSharp.torch;

namespace ActorTrain.Native.Attention;

/// <summary>
/// The arguments of one attention call, checked: every mistake a caller can make becomes an
/// <see cref="ArgumentException"/> that names the tensor and what is wrong with it. Sizes are read
/// once with <c>size(d)</c>: TorchSharp 0.107's <c>Tensor.shape</c> leaks a little native memory
/// per call (measured: ~45 MiB over 96k calls), which a per-step call site turns into a slow leak.
/// </summary>
internal sealed record AttentionInputs(Tensor Q, Tensor K, Tensor V, bool Causal, Tensor? KeyLengths, double Scale,
    long Batch, long Heads, long QueryLength, long KeyLength, long HeadDim)
{
    public const int MaxHeadDim = 256;

    public static AttentionInputs Check(Tensor q, Tensor k, Tensor v, bool causal, Tensor? keyLengths, double? scale)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(k);
        ArgumentNullException.ThrowIfNull(v);
        foreach (var (name, t) in new[] { ("q", q), ("k", k), ("v", v) })
        {
            if (t.dim() != 4)
                throw new ArgumentException($"{name} must have 4 dimensions (batch, heads, tokens, head_dim); got shape {Shape(t)}", name);
            if (t.numel() == 0)
                throw new ArgumentException($"{name} is empty (shape {Shape(t)})", name);
        }
        if (q.dtype != k.dtype || q.dtype != v.dtype)
            throw new ArgumentException($"q, k and v must have one dtype; got {q.dtype}, {k.dtype} and {v.dtype}");
        if (!SameDevice(q, k) || !SameDevice(q, v))
            throw new ArgumentException($"q, k and v must be on one device; got {q.device}, {k.device} and {v.device}");
        long[] qs = Sizes(q), ks = Sizes(k), vs = Sizes(v);
        if (ks[0] != qs[0] || vs[0] != qs[0])
            throw new ArgumentException($"q, k and v must have one batch size; got shapes {Shape(q)}, {Shape(k)} and {Shape(v)}");
        if (ks[1] != qs[1] || vs[1] != qs[1])
            throw new ArgumentException($"q, k and v must have one number of heads; got shapes {Shape(q)}, {Shape(k)} and {Shape(v)}");
        if (vs[2] != ks[2])
            throw new ArgumentException($"k and v must have one number of tokens; got shapes {Shape(k)} and {Shape(v)}", nameof(v));
        if (ks[3] != qs[3] || vs[3] != qs[3])
            throw new ArgumentException($"q, k and v must have one head_dim; got shapes {Shape(q)}, {Shape(k)} and {Shape(v)}");
        if (qs[3] > MaxHeadDim)
            throw new ArgumentException($"head_dim {qs[3]} is over the supported maximum {MaxHeadDim}", nameof(q));

        double softmaxScale = scale ?? 1.0 / Math.Sqrt(qs[3]);
        if (!double.IsFinite(softmaxScale))
            throw new ArgumentException($"scale must be finite; got {softmaxScale}", nameof(scale));
        if (keyLengths is not null) CheckKeyLengths(keyLengths, qs[0], ks[2]);
        return new AttentionInputs(q, k, v, causal, keyLengths, softmaxScale, qs[0], qs[1], qs[2], ks[2], qs[3]);
    }

    private static void CheckKeyLengths(Tensor keyLengths, long batch, long keys)
    {
        if (keyLengths.dim() != 1 || keyLengths.size(0) != batch)
            throw new ArgumentException($"keyLengths must have shape [{batch}] (one length per batch entry); got {Shape(keyLengths)}", nameof(keyLengths));
        if (keyLengths.dtype is not (ScalarType.Int32 or ScalarType.Int64))
            throw new ArgumentException($"keyLengths must hold Int32 or Int64; got {keyLengths.dtype}", nameof(keyLengths));
        using var minimum = keyLengths.min().to(ScalarType.Int64);
        using var maximum = keyLengths.max().to(ScalarType.Int64);
        long min = minimum.item<long>(), max = maximum.item<long>();
        if (min < 0 || max > keys)
            throw new ArgumentException($"keyLengths must lie in [0, {keys}] (the number of keys); got values from {min} to {max}", nameof(keyLengths));
    }

    // Device objects compare by reference; their type and index say where the data is.
    private static bool SameDevice(Tensor a, Tensor b) => a.device_type == b.device_type && a.device_index == b.device_index;

    private static long[] Sizes(Tensor t) => [t.size(0), t.size(1), t.size(2), t.size(3)];

    private static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";
}
