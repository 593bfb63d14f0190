using static TorchSharp.torch;

namespace ActorTrain.Native.Attention;

/// <summary>
/// The arguments of one attention call, checked: every mistake a caller can make becomes an
/// <see cref="ArgumentException"/> that names the tensor and what is wrong with it.
/// </summary>
internal sealed record AttentionInputs(Tensor Q, Tensor K, Tensor V, bool Causal, Tensor? KeyLengths, double Scale)
{
    public const int MaxHeadDim = 256;

    public long Batch => Q.shape[0];
    public long Heads => Q.shape[1];
    public long QueryLength => Q.shape[2];
    public long KeyLength => K.shape[2];
    public long HeadDim => Q.shape[3];

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
        if (k.shape[0] != q.shape[0] || v.shape[0] != q.shape[0])
            throw new ArgumentException($"q, k and v must have one batch size; got shapes {Shape(q)}, {Shape(k)} and {Shape(v)}");
        if (k.shape[1] != q.shape[1] || v.shape[1] != q.shape[1])
            throw new ArgumentException($"q, k and v must have one number of heads; got shapes {Shape(q)}, {Shape(k)} and {Shape(v)}");
        if (v.shape[2] != k.shape[2])
            throw new ArgumentException($"k and v must have one number of tokens; got shapes {Shape(k)} and {Shape(v)}", nameof(v));
        if (k.shape[3] != q.shape[3] || v.shape[3] != q.shape[3])
            throw new ArgumentException($"q, k and v must have one head_dim; got shapes {Shape(q)}, {Shape(k)} and {Shape(v)}");
        if (q.shape[3] > MaxHeadDim)
            throw new ArgumentException($"head_dim {q.shape[3]} is over the supported maximum {MaxHeadDim}", nameof(q));

        double softmaxScale = scale ?? 1.0 / Math.Sqrt(q.shape[3]);
        if (!double.IsFinite(softmaxScale))
            throw new ArgumentException($"scale must be finite; got {softmaxScale}", nameof(scale));
        if (keyLengths is not null) CheckKeyLengths(keyLengths, q.shape[0], k.shape[2]);
        return new AttentionInputs(q, k, v, causal, keyLengths, softmaxScale);
    }

    private static void CheckKeyLengths(Tensor keyLengths, long batch, long keys)
    {
        if (keyLengths.dim() != 1 || keyLengths.shape[0] != batch)
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

    private static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";
}
