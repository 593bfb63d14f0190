using System.Text.Json;

namespace ActorTrain.Data.Output;

/// <summary>One quarantine line: {"id", "stage", "reason"} for a bad record or a dropped document.</summary>
public static class QuarantineJson
{
    public static void Write(Utf8JsonWriter writer, string id, string stage, string reason)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("stage", stage);
        writer.WriteString("reason", reason);
        writer.WriteEndObject();
    }
}
