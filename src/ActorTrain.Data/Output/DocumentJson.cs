using System.Collections.Immutable;
using System.Text.Json;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Output;

/// <summary>One document as one JSON line: {"id", "text", "source", "metadata"} with metadata keys
/// sorted, so the same document always gives the same bytes.</summary>
public static class DocumentJson
{
    public static void Write(Utf8JsonWriter writer, Document document)
    {
        writer.WriteStartObject();
        writer.WriteString("id", document.Id);
        writer.WriteString("text", document.Text);
        writer.WriteString("source", document.Source);
        writer.WriteStartObject("metadata");
        foreach (var (key, value) in document.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) writer.WriteString(key, value);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static Document Read(string line)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        var metadata = root.GetProperty("metadata").EnumerateObject().ToImmutableDictionary(p => p.Name, p => p.Value.GetString()!);
        return new Document(root.GetProperty("id").GetString()!, root.GetProperty("text").GetString()!, root.GetProperty("source").GetString()!, metadata);
    }
}
