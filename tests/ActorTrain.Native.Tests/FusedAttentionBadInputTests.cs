using ActorTrain.Native.Attention;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Native.Tests;

public sealed class FusedAttentionBadInputTests
{
    private static Tensor Qkv(long b = 2, long h = 2, long t = 8, long d = 16, ScalarType dtype = ScalarType.Float32) => randn(b, h, t, d, dtype: dtype);

    [Fact]
    public void Tensor_without_four_dimensions_is_named() =>
        AssertRejected(() => FusedAttention.Apply(randn(2, 8, 16), Qkv(), Qkv(), false), "q must have 4 dimensions", "[2, 8, 16]");

    [Fact]
    public void Mismatched_head_dims_are_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(), Qkv(d: 32), Qkv(), false), "one head_dim", "[2, 2, 8, 32]");

    [Fact]
    public void Mismatched_batches_are_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(), Qkv(b: 3), Qkv(b: 3), false), "one batch size");

    [Fact]
    public void Keys_and_values_of_different_lengths_are_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(), Qkv(t: 9), Qkv(t: 10), false), "k and v must have one number of tokens");

    [Fact]
    public void Mismatched_dtypes_are_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(), Qkv(dtype: ScalarType.Float64), Qkv(), false), "one dtype", "Float64");

    [Fact]
    public void Mismatched_devices_are_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(), Qkv().to(device("meta")), Qkv(), false), "one device", "meta");

    [Fact]
    public void Head_dim_over_the_maximum_is_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(d: 300), Qkv(d: 300), Qkv(d: 300), false), "head_dim 300 is over the supported maximum 256");

    [Fact]
    public void Empty_tensor_is_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(t: 0), Qkv(), Qkv(), false), "q is empty", "[2, 2, 0, 16]");

    [Fact]
    public void Key_lengths_of_the_wrong_shape_are_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(), Qkv(), Qkv(), false, keyLengths: tensor(new[] { 1, 2, 3 })), "keyLengths must have shape [2]");

    [Fact]
    public void Key_lengths_past_the_number_of_keys_are_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(), Qkv(), Qkv(), false, keyLengths: tensor(new[] { 3, 9 })), "keyLengths must lie in [0, 8]", "from 3 to 9");

    [Fact]
    public void Fractional_key_lengths_are_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(), Qkv(), Qkv(), false, keyLengths: tensor(new[] { 3.5f, 2f })), "keyLengths must hold Int32 or Int64", "Float32");

    [Fact]
    public void Infinite_scale_is_named() =>
        AssertRejected(() => FusedAttention.Apply(Qkv(), Qkv(), Qkv(), false, scale: double.PositiveInfinity), "scale must be finite");

    private static void AssertRejected(Func<Tensor> call, params string[] expected)
    {
        using var scope = NewDisposeScope();
        var error = Assert.ThrowsAny<ArgumentException>(() => call());
        foreach (string part in expected) Assert.Contains(part, error.Message);
    }
}
