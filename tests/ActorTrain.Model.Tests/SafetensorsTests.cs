using System.Buffers.Binary;
using System.Text.Json;
using ActorTrain.Model;
using ActorTrain.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Model.Tests;

public sealed class SafetensorsTests
{
    [Fact]
    public void Files_follow_the_format_and_read_back_exactly()
    {
        using var scope = NewDisposeScope();
        using var directory = new TemporaryDirectory("safetensors");
        string path = Path.Combine(directory.Path, "t.safetensors");
        var a = randn(3, 5);
        var b = arange(7, dtype: ScalarType.Float32);
        using (var file = File.Create(path)) Safetensors.Write(file, [("a", a), ("b.weight", b)], new Dictionary<string, string> { ["step"] = "4" });

        var bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        Assert.Equal("F32", header.RootElement.GetProperty("a").GetProperty("dtype").GetString());
        Assert.Equal([3, 5], header.RootElement.GetProperty("a").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([0, 60], header.RootElement.GetProperty("a").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([60, 88], header.RootElement.GetProperty("b.weight").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(8 + headerLength + 88, bytes.Length);
        Assert.Equal(6f, BitConverter.ToSingle(bytes, (int)(8 + headerLength + 60 + 6 * 4))); // raw little-endian data

        var (tensors, metadata) = Safetensors.Read(path);
        Assert.True(tensors["a"].eq(a).all().item<bool>());
        Assert.True(tensors["b.weight"].eq(b).all().item<bool>());
        Assert.Equal("4", metadata["step"]);
    }

    [Theory]
    [InlineData(4, "too short")]
    [InlineData(40, "truncated")]
    public void Damaged_files_are_refused_naming_the_file(int keep, string problem)
    {
        using var directory = new TemporaryDirectory("safetensors");
        string path = Path.Combine(directory.Path, "t.safetensors");
        using (var file = File.Create(path)) Safetensors.Write(file, [("a", ones(100))]);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..keep]);
        var error = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":["x"],"data_offsets":[0,4]}}""", "a: dimension \"x\" is not a whole number")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", "a: dimension 1.5 is not a whole number")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", "a has a negative dimension")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}""", "is past any file's size")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}""", "a has 1 data_offsets, not 2")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,null]}}""", "a: data offset null is not a whole number")]
    public void A_header_with_numbers_that_are_not_a_tensors_is_refused_naming_the_file(string header, string problem)
    {
        using var directory = new TemporaryDirectory("safetensors");
        string path = Path.Combine(directory.Path, "t.safetensors");
        byte[] json = System.Text.Encoding.UTF8.GetBytes(header);
        byte[] bytes = new byte[8 + json.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }
}
