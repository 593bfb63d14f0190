using System.Collections.Immutable;
using System.Text.Json;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Collection;

/// <summary>One document per JSON line: the configured text field, the other fields as metadata.
/// A malformed line is one bad record; the lines around it are read as usual.</summary>
public sealed class JsonlReader(ReaderSettings settings)
{
    public IEnumerable<ReadItem> Read(string path)
    {
        using var stream = CompressedFile.Open(path);
        long index = -1;
        foreach (var line in new BoundedLineReader(stream, settings.MaxRecordBytes).ReadLines())
        {
            index++;
            if (line.TooLong)
            {
                yield return ReadItem.Bad(index, $"line {index + 1} is {line.Length} bytes, over the {settings.MaxRecordBytes}-byte record limit");
                continue;
            }
            if (line.Bytes!.All(b => b is (byte)' ' or (byte)'\t')) continue;
            yield return Parse(path, index, line.Bytes!);
        }
    }

    private ReadItem Parse(string path, long index, byte[] bytes)
    {
        string? json = Utf8Decoder.Decode(bytes, settings.InvalidUtf8, out string? problem);
        if (json is null) return ReadItem.Bad(index, $"line {index + 1}: {problem}");
        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return ReadItem.Bad(index, $"line {index + 1}: invalid JSON: {e.Message}");
        }
        using (parsed)
        {
            if (parsed.RootElement.ValueKind != JsonValueKind.Object)
                return ReadItem.Bad(index, $"line {index + 1}: a {parsed.RootElement.ValueKind} where an object was expected");
            if (!parsed.RootElement.TryGetProperty(settings.JsonTextField, out var text) || text.ValueKind != JsonValueKind.String)
                return ReadItem.Bad(index, $"line {index + 1}: no string field '{settings.JsonTextField}'");
            var metadata = ImmutableDictionary.CreateBuilder<string, string>();
            metadata["format"] = "jsonl";
            foreach (var field in parsed.RootElement.EnumerateObject())
            {
                if (field.Name == settings.JsonTextField) continue;
                metadata[field.Name] = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : field.Value.GetRawText();
            }
            return ReadItem.Of(index, new Document(DocumentIds.For(path, index), text.GetString()!, path, metadata.ToImmutable()));
        }
    }
}
