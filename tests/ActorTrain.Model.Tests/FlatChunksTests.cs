using ActorTrain.Model;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Model.Tests;

public sealed class FlatChunksTests
{
    // Tensors of awkward sizes, an empty one among them, and a view that starts inside its storage.
    private static Tensor[] Tensors(int seed)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var backing = randn([9, 5], generator: generator);
        return [randn([3, 4], generator: generator), zeros(0), randn([1], generator: generator), backing.narrow(0, 2, 5), randn([2, 3, 5], generator: generator)];
    }

    private static float[] Concatenated(Tensor[] tensors) => cat([.. tensors.Select(t => t.reshape(-1))]).data<float>().ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(13)] // the first chunk ends where the third tensor does
    [InlineData(1000)] // one chunk for everything
    public void Chunks_read_in_order_are_the_tensors_concatenated(int chunkLength)
    {
        var tensors = Tensors(1);
        var flat = new FlatChunks(tensors, chunkLength);
        var read = new List<float>();
        for (int chunk = 0; chunk < flat.Count; chunk++)
        {
            var buffer = new float[flat.LengthOf(chunk)];
            flat.Read(chunk, buffer);
            read.AddRange(buffer);
        }
        Assert.Equal(12 + 0 + 1 + 25 + 30, flat.Length);
        Assert.Equal(Concatenated(tensors), read);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Chunks_written_in_any_order_land_in_the_right_elements(int chunkLength)
    {
        var tensors = Tensors(2);
        var before = Concatenated(tensors);
        var expected = before.Select((v, i) => v * 2 + i).ToArray();
        var flat = new FlatChunks(tensors, chunkLength);
        foreach (int chunk in Enumerable.Range(0, flat.Count).Reverse())
        {
            int start = chunk * chunkLength;
            flat.Write(chunk, expected.AsSpan(start, flat.LengthOf(chunk)));
        }
        Assert.Equal(expected, Concatenated(tensors));
    }

    [Fact]
    public void Writing_a_view_leaves_the_rest_of_its_storage_alone()
    {
        var backing = arange(45, dtype: ScalarType.Float32).reshape(9, 5);
        var view = backing.narrow(0, 2, 5);
        var flat = new FlatChunks([view], chunkLength: 10);
        for (int chunk = 0; chunk < flat.Count; chunk++) flat.Write(chunk, Enumerable.Repeat(-1f, flat.LengthOf(chunk)).ToArray());
        var values = backing.reshape(-1).data<float>().ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), values[..10]);
        Assert.All(values[10..35], v => Assert.Equal(-1f, v));
        Assert.Equal(Enumerable.Range(35, 10).Select(i => (float)i), values[35..]);
    }

    [Fact]
    public void Tensors_that_cannot_be_read_in_place_are_refused_by_position()
    {
        var transposed = randn(3, 4).t();
        var error = Assert.Throws<ArgumentException>(() => new FlatChunks([randn(2), transposed]));
        Assert.Contains("tensor 1", error.Message);
        Assert.Contains("contiguous: False", error.Message);
        var doubles = Assert.Throws<ArgumentException>(() => new FlatChunks([randn(2, dtype: ScalarType.Float64)]));
        Assert.Contains("Float64", doubles.Message);
    }

    [Fact]
    public void A_buffer_of_the_wrong_length_is_refused_naming_the_chunk()
    {
        var flat = new FlatChunks([randn(10)], chunkLength: 4);
        Assert.Equal(3, flat.Count);
        Assert.Equal(2, flat.LengthOf(2));
        var error = Assert.Throws<ArgumentException>(() => flat.Read(2, new float[4]));
        Assert.Contains("chunk 2 of 3 holds 2 floats, given 4", error.Message);
        Assert.Throws<ArgumentException>(() => flat.Write(0, new float[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => flat.LengthOf(3));
    }

    [Fact]
    public void No_tensors_make_no_chunks()
    {
        var flat = new FlatChunks([zeros(0)]);
        Assert.Equal(0, flat.Length);
        Assert.Equal(0, flat.Count);
    }
}
