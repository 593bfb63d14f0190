using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorTrain.Node.Cmd;

/// <summary>How the palettes write `--json` answers: a diverged step's NaN or infinite loss is journaled and shown like
/// any other, as "NaN" or "Infinity" (System.Text.Json refuses non-finite numbers by default, failing the command).</summary>
internal static class PaletteJson
{
    private static readonly JsonSerializerOptions Options = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
