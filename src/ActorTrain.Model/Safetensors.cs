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
            long[] shape = [.. (node!["shape"] as JsonArray ?? throw Invalid(path, $"{name} has no shape")).Select(d => (long)d!)];
            var offsets = node["data_offsets"] as JsonArray ?? throw Invalid(path, $"{name} has no data_offsets");
            long begin = (long)offsets[0]!, end = (long)offsets[1]!;
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (begin < 0 || end != begin + 4 * count || dataStart + end > bytes.Length)
                throw Invalid(path, $"{name}: offsets [{begin}, {end}) do not fit shape [{string.Join(", ", shape)}] in the file's {bytes.Length - dataStart} data bytes");
            var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(dataStart + (int)begin, (int)(end - begin))).ToArray();
            tensors[name] = tensor(values, shape);
        }
        return (tensors, metadata);
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"{path}: {problem}");
}
