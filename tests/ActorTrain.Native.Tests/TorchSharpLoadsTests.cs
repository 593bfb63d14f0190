using ActorTrain.Native.Torch;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Native.Tests;

public sealed class TorchSharpLoadsTests
{
    [Fact]
    public void Scaled_dot_product_attention_forward_and_backward_match_the_explicit_formula()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(20261128);
        // (B, H, T, D) with awkward sizes; float64 so the comparison measures the kernel, not rounding.
        var q = randn(2, 3, 17, 8, dtype: float64, generator: generator).requires_grad_();
        var k = randn(2, 3, 17, 8, dtype: float64, generator: generator).requires_grad_();
        var v = randn(2, 3, 17, 8, dtype: float64, generator: generator).requires_grad_();
        var dOut = randn(2, 3, 17, 8, dtype: float64, generator: generator);

        var fused = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
        var (dqFused, dkFused, dvFused) = Gradients(fused, dOut, q, k, v);

        // softmax(Q K^T / sqrt(D) + causal mask) V, written out.
        var scores = matmul(q, k.transpose(-2, -1)) / Math.Sqrt(8);             // (B, H, T, T)
        var future = ones(17, 17, dtype: ScalarType.Bool).triu(1);
        var reference = matmul(softmax(scores.masked_fill(future, double.NegativeInfinity), -1), v);
        var (dqRef, dkRef, dvRef) = Gradients(reference, dOut, q, k, v);

        Assert.True(fused.allclose(reference, rtol: 1e-10, atol: 1e-10), "forward differs");
        Assert.True(dqFused.allclose(dqRef, rtol: 1e-10, atol: 1e-10), "dq differs");
        Assert.True(dkFused.allclose(dkRef, rtol: 1e-10, atol: 1e-10), "dk differs");
        Assert.True(dvFused.allclose(dvRef, rtol: 1e-10, atol: 1e-10), "dv differs");
        Assert.Equal(0L, fused.isnan().sum().item<long>());
    }

    [Fact]
    public void Runtime_reports_the_pinned_torchsharp_and_libtorch_versions()
    {
        Assert.Equal("0.107.0", TorchRuntime.TorchSharpVersion);
        Assert.StartsWith("2.10", TorchRuntime.LibTorchVersion);
        Assert.True(TorchRuntime.Threads >= 1);
    }

    private static (Tensor, Tensor, Tensor) Gradients(Tensor output, Tensor dOut, Tensor q, Tensor k, Tensor v)
    {
        var grads = autograd.grad([output], [q, k, v], [dOut]);
        return (grads[0], grads[1], grads[2]);
    }
}
