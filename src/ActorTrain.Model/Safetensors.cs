using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>
/// The safetensors format (loadable by Python's <c>safetensors</c>): an 8-byte little-endian header
/// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}} padded
/// with spaces to 8 bytes, then the raw little-endian data. Float32 tensors only: all our state is.
/// </summary>
public static class Safetensors
{
    public static void Write(Stream stream, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is not null) header["__metadata__"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
        var data = new List<float[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (tensor.dtype != ScalarType.Float32) throw new ArgumentException($"{name} is {tensor.dtype}; only Float32 is written");
            var values = tensor.detach().cpu().contiguous().data<float>().ToArray();
            long end = offset + 4L * values.Length;
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray([.. Enumerable.Range(0, (int)tensor.dim()).Select(d => (JsonNode)tensor.size(d))]),
                ["data_offsets"] = new JsonArray(offset, end),
            };
            data.Add(values);
            offset = end;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        var prefix = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        json.CopyTo(prefix, 8);
        prefix.AsSpan(8 + json.Length).Fill((byte)' ');
        stream.Write(prefix);
        foreach (var values in data) stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    /// <exception cref="InvalidDataException">Not a well-formed safetensors file; the message names it and the problem.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw Invalid(path, $"{bytes.Length} bytes: too short for a header");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8)) throw Invalid(path, $"header of {headerLength} bytes in a {bytes.Length}-byte file (truncated?)");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength)) as JsonObject ?? throw Invalid(path, "header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"header is not JSON ({e.Message})");
        }
        int dataStart = 8 + (int)headerLength;
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (key, value) in node as JsonObject ?? []) metadata[key] = (string?)value ?? "";
                continue;
            }
            if ((string?)node?["dtype"] != "F32") throw Invalid(path, $"{name} has dtype {node?["dtype"]}; only F32 is read");
            var (shape, begin, end) = Layout(path, name, node!);
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (begin < 0 || end != begin + 4 * count || dataStart + end > bytes.Length)
                throw Invalid(path, $"{name}: offsets [{begin}, {end}) do not fit shape [{string.Join(", ", shape)}] in the file's {bytes.Length - dataStart} data bytes");
            var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(dataStart + (int)begin, (int)(end - begin))).ToArray();
            tensors[name] = tensor(values, shape);
        }
        return (tensors, metadata);
    }

    // A tensor's shape and data offsets. Numbers that are not whole, negative dimensions, or a size past 2^63 bytes are
    // refused by name (a cast or product would otherwise throw, or wrap, with no word of which file).
    private static (long[] Shape, long Begin, long End) Layout(string path, string name, JsonNode node)
    {
        long Whole(JsonNode? number, string what) =>
            number is JsonValue value && value.TryGetValue(out long whole) ? whole : throw Invalid(path, $"{name}: {what} {number?.ToJsonString() ?? "null"} is not a whole number");
        var dimensions = node["shape"] as JsonArray ?? throw Invalid(path, $"{name} has no shape");
        var offsets = node["data_offsets"] as JsonArray ?? throw Invalid(path, $"{name} has no data_offsets");
        if (offsets.Count != 2) throw Invalid(path, $"{name} has {offsets.Count} data_offsets, not 2");
        long[] shape = [.. dimensions.Select(d => Whole(d, "dimension"))];
        if (shape.Any(d => d < 0)) throw Invalid(path, $"{name} has a negative dimension in [{string.Join(", ", shape)}]");
        try
        {
            _ = checked(4 * shape.Aggregate(1L, (a, b) => checked(a * b)));
        }
        catch (OverflowException)
        {
            throw Invalid(path, $"{name}: shape [{string.Join(", ", shape)}] is past any file's size");
        }
        return (shape, Whole(offsets[0], "data offset"), Whole(offsets[1], "data offset"));
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"{path}: {problem}");
}
