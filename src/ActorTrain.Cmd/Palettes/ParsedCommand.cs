namespace ActorTrain.Cmd.Palettes;

/// <summary>A command line matched against its definition: the values of its switches (defaults filled in).</summary>
public sealed record ParsedCommand(PaletteDefinition Palette, CommandDefinition Command, IReadOnlyDictionary<string, IReadOnlyList<string>> Values, bool Json)
{
    public string? Value(string name) => Values.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    public string Required(string name) => Value(name) ?? throw new CommandLineException($"--{name} is required");

    public IReadOnlyList<string> All(string name) => Values.TryGetValue(name, out var values) ? values : [];

    public bool Flag(string name) => Values.ContainsKey(name);

    /// <exception cref="CommandLineException">Not an integer.</exception>
    public int Integer(string name, int fallback)
    {
        string? text = Value(name);
        if (text is null) return fallback;
        return int.TryParse(text, out int value) ? value : throw new CommandLineException($"--{name} '{text}' is not a whole number");
    }
}
