namespace ActorTrain.Cmd.Palettes;

/// <summary>A palette: a named group of commands, sent to clients as data so they can show help and
/// check a command line before sending it (Petabridge.Cmd's model).</summary>
public sealed record PaletteDefinition(string Name, string Description, IReadOnlyList<CommandDefinition> Commands);

/// <summary>One command; every command also takes <c>--json</c> (machine-readable output).</summary>
public sealed record CommandDefinition(string Name, string Description, IReadOnlyList<ArgumentDefinition> Arguments)
{
    public string Usage(string palette) =>
        $"{palette} {Name}" + string.Concat(Arguments.Select(a => a.Mandatory ? $" {a.Display}" : $" [{a.Display}]")) + " [--json]";
}

/// <summary>A switch: <c>--name VALUE</c> (or <c>-s VALUE</c>), or a flag without a value.</summary>
public sealed record ArgumentDefinition(string Name, string? Short, string Description, bool Mandatory = false, bool IsFlag = false,
    string? Default = null, bool Repeatable = false)
{
    public string Display => (Short is null ? $"--{Name}" : $"-{Short}|--{Name}") + (IsFlag ? "" : $" {Name.ToUpperInvariant()}") + (Repeatable ? "..." : "");
}
