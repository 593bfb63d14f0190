using System.Text.Json;

namespace ActorTrain.Benchmarks;

public static class ResultJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes DIR/SUITE.json (through a temporary file, so a killed run leaves the old one).</summary>
    public static string Write(SuiteResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, result.Suite + ".json");
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(result, Options) + "\n");
        File.Move(temporary, path, overwrite: true);
        return Path.GetFullPath(path);
    }
}
