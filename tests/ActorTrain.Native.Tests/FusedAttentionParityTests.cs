using ActorTrain.Native.Attention;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ActorTrain.Native.Tests;

/// <summary>
/// Our kernels against libtorch's scaled_dot_product_attention, both measured against the same
/// formula in float64: ours may differ from it by at most twice what libtorch's own fp32 kernel
/// does (plus a floor of 1e-6 of the values' magnitude, for outputs libtorch gets almost exact).
/// </summary>
public sealed class FusedAttentionParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, long, long, long, long, long, bool, bool> Shapes => new()
    {
        // name, B, H, Tq, Tk, D, causal, (B,T,H,D) layout
        { "tiny", 2, 3, 17, 17, 16, false, false },
        { "causal-129", 2, 2, 129, 129, 64, true, false },
        { "cross-q33-k70", 1, 2, 33, 70, 32, false, false },
        { "btHd-layout", 2, 4, 64, 64, 80, true, true },
        { "head-dim-128", 1, 2, 100, 100, 128, true, false },
        { "one-token", 3, 2, 1, 1, 64, true, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Output_and_gradients_are_as_close_to_float64_as_libtorchs(string name, long b, long h, long tq, long tk, long d, bool causal, bool bthd)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(StableSeed(name));
        var (q, k, v) = (Input(b, h, tq, d, bthd, generator), Input(b, h, tk, d, bthd, generator), Input(b, h, tk, d, bthd, generator));
        var dOut = randn(b, h, tq, d, generator: generator);

        var ours = Run((q, k, v) => FusedAttention.Apply(q, k, v, causal), q, k, v, dOut);
        var torch_ = Run((q, k, v) => nn.functional.scaled_dot_product_attention(q, k, v, is_casual: causal), q, k, v, dOut);
        var exact = Run((q, k, v) => Explicit(q, k, v, causal, keyLengths: null), q.to(float64), k.to(float64), v.to(float64), dOut.to(float64));

        foreach (var (what, i) in new[] { ("out", 0), ("dq", 1), ("dk", 2), ("dv", 3) })
            AssertAsClose(name, what, ours[i], torch_[i], exact[i]);
    }

    // FNV-1a of the case's name: string.GetHashCode changes with every process, and a failing draw could not be run again.
    private static ulong StableSeed(string name)
    {
        ulong hash = 14695981039346656037;
        foreach (char c in name) hash = (hash ^ c) * 1099511628211;
        return hash & 0xffff_ffff;
    }

    [Fact]
    public void Key_lengths_mask_padding_like_an_explicit_mask_and_a_query_that_sees_nothing_gets_zero()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(99);
        var (q, k, v) = (Input(3, 2, 40, 32, false, generator), Input(3, 2, 40, 32, false, generator), Input(3, 2, 40, 32, false, generator));
        var dOut = randn(3, 2, 40, 32, generator: generator);
        var lengths = tensor(new long[] { 40, 0, 17 });

        var ours = Run((q, k, v) => FusedAttention.Apply(q, k, v, causal: true, keyLengths: lengths), q, k, v, dOut);
        var exact = Run((q, k, v) => Explicit(q, k, v, causal: true, lengths), q.to(float64), k.to(float64), v.to(float64), dOut.to(float64));

        for (int i = 0; i < 4; i++)
            Assert.True((ours[i].to(float64) - exact[i]).abs().max().item<double>() < 1e-5, $"tensor {i} differs");
        Assert.Equal(0.0, ours[0][1].abs().max().item<float>()); // batch 1 sees no key
        Assert.False(ours[1].isnan().any().item<bool>());
    }

    [Fact]
    public void Output_keeps_the_memory_layout_of_a_transposed_query()
    {
        using var scope = NewDisposeScope();
        var q = randn(2, 50, 4, 32).transpose(1, 2); // (B, H, T, D) view of (B, T, H, D)
        var result = FusedAttention.Apply(q, q, q, causal: true);
        Assert.True(result.transpose(1, 2).is_contiguous());
    }

    [Fact]
    public void Unsupported_dtype_falls_back_to_libtorch_and_says_so_once()
    {
        using var scope = NewDisposeScope();
        var notices = new List<string>();
        var previous = FusedAttention.Diagnostics;
        FusedAttention.Diagnostics = notices.Add;
        try
        {
            var q = randn(1, 2, 9, 16, dtype: float64);
            var first = FusedAttention.Apply(q, q, q, causal: true);
            FusedAttention.Apply(q, q, q, causal: true);
            var expected = nn.functional.scaled_dot_product_attention(q, q, q, is_casual: true);
            Assert.True(first.allclose(expected, rtol: 1e-12, atol: 1e-12));
            var notice = Assert.Single(notices);
            Assert.Contains("Float64 on cpu (head_dim 16) goes to libtorch's scaled_dot_product_attention", notice);
        }
        finally
        {
            FusedAttention.Diagnostics = previous;
        }
    }

    private static Tensor Input(long b, long h, long t, long d, bool bthd, Generator generator) =>
        bthd ? randn(b, t, h, d, generator: generator).transpose(1, 2) : randn(b, h, t, d, generator: generator);

    // out, dq, dk, dv of attention(q, k, v) for the incoming gradient dOut.
    private static Tensor[] Run(Func<Tensor, Tensor, Tensor, Tensor> attention, Tensor q, Tensor k, Tensor v, Tensor dOut)
    {
        var (qg, kg, vg) = (q.detach().requires_grad_(), k.detach().requires_grad_(), v.detach().requires_grad_());
        var result = attention(qg, kg, vg);
        var grads = autograd.grad([result], [qg, kg, vg], [dOut]);
        return [result.detach(), grads[0], grads[1], grads[2]];
    }

    // softmax(q k^T / sqrt(D) + mask) v, written out; rows that see nothing give 0.
    private static Tensor Explicit(Tensor q, Tensor k, Tensor v, bool causal, Tensor? keyLengths)
    {
        long tq = q.shape[2], tk = k.shape[2];
        var scores = matmul(q, k.transpose(-2, -1)) / Math.Sqrt(q.shape[3]);
        var visible = ones(tq, tk, dtype: ScalarType.Bool);
        if (causal) visible = visible.tril();
        var mask = visible.view(1, 1, tq, tk);
        if (keyLengths is not null) mask = mask & (arange(tk).view(1, 1, 1, tk) < keyLengths.view(-1, 1, 1, 1));
        var probabilities = softmax(scores.masked_fill(mask.logical_not(), double.NegativeInfinity), -1).nan_to_num(0.0);
        return matmul(probabilities, v);
    }

    private void AssertAsClose(string shape, string what, Tensor ours, Tensor libtorch, Tensor exact)
    {
        double magnitude = exact.abs().max().item<double>();
        double oursError = (ours.to(float64) - exact).abs().max().item<double>();
        double libtorchError = (libtorch.to(float64) - exact).abs().max().item<double>();
        output.WriteLine($"{shape} {what}: ours {oursError:E2}, libtorch {libtorchError:E2}, magnitude {magnitude:E2}");
        Assert.True(oursError <= 2 * libtorchError + 1e-6 * magnitude,
            $"{shape} {what}: our error {oursError:E3} exceeds twice libtorch's {libtorchError:E3} (+ floor {1e-6 * magnitude:E1})");
    }
}
