using System.Text;

namespace ActorTrain.Data.Cleaning.Normalise;

/// <summary>Bytes to text under the configured <see cref="InvalidUtf8"/> rule.</summary>
public static class Utf8Decoder
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UTF8Encoding Lenient = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>The text, or null with <paramref name="problem"/> saying where the bytes went wrong.</summary>
    public static string? Decode(ReadOnlySpan<byte> bytes, InvalidUtf8 rule, out string? problem)
    {
        problem = null;
        if (rule == InvalidUtf8.Repair) return Lenient.GetString(bytes);
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            problem = $"invalid UTF-8 at byte {e.Index}";
            return null;
        }
    }
}
