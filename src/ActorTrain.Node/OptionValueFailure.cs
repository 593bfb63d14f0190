using System.Text.RegularExpressions;

namespace ActorTrain.Node;

/// <summary>
/// Spectre's conversion failure ("Failed to convert '99999999999' to Int32.", "... to Nullable`1. Valid values
/// are '', 'Fused', ...") names neither the option nor, in words, what it takes. This finds the option the value
/// followed on the command line and says what it accepts: "--steps: '99999999999' is not a whole number from
/// -2147483648 to 2147483647".
/// </summary>
public static partial class OptionValueFailure
{
    [GeneratedRegex(@"^Failed to convert '(?<value>.*)' to (?<type>[^.]+)\.(?: Valid values are (?<valid>.*))?$")]
    private static partial Regex ConversionFailed();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex Quoted();

    /// <returns>The better line, or null when <paramref name="message"/> is not a conversion failure.</returns>
    public static string? Describe(string message, IReadOnlyList<string> args)
    {
        var match = ConversionFailed().Match(message);
        if (!match.Success) return null;
        string value = match.Groups["value"].Value;
        string accepts = match.Groups["valid"].Success ? OneOf(match.Groups["valid"].Value) : Kind(match.Groups["type"].Value);
        string? option = OptionOf(value, args);
        return option is null ? $"'{value}' is not {accepts}" : $"{option}: '{value}' is not {accepts}";
    }

    // The option written right before the value, or as --option=value.
    private static string? OptionOf(string value, IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (i > 0 && arg == value && args[i - 1].StartsWith('-')) return args[i - 1];
            int equals = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 && arg[(equals + 1)..] == value) return arg[..equals];
        }
        return null;
    }

    private static string OneOf(string valid)
    {
        var names = Quoted().Matches(valid).Select(m => m.Groups[1].Value.ToLowerInvariant()).Where(name => name.Length > 0).ToList();
        return names.Count switch
        {
            0 => "a valid value",
            1 => names[0],
            _ => $"one of {string.Join(", ", names[..^1])} or {names[^1]}",
        };
    }

    private static string Kind(string type) => type switch
    {
        "Int32" => $"a whole number from {int.MinValue} to {int.MaxValue}",
        "Int64" => $"a whole number from {long.MinValue} to {long.MaxValue}",
        "UInt64" => $"a whole number from 0 to {ulong.MaxValue}",
        "UInt32" => $"a whole number from 0 to {uint.MaxValue}",
        "Double" or "Single" => "a number",
        "Boolean" => "true or false",
        "TimeSpan" => "a duration such as 00:05:00",
        _ => $"a valid {type}",
    };
}
