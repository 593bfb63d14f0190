namespace ActorTrain.Cmd.Palettes;

/// <summary>Matches words (palette, command, switches) against palette definitions — in the client, to
/// refuse a mistake before it travels, and in the host, which trusts nothing it receives.</summary>
public static class CommandParser
{
    /// <exception cref="CommandLineException">Unknown palette, command or switch, a switch without its value, or a mandatory one missing.</exception>
    public static ParsedCommand Parse(IReadOnlyList<PaletteDefinition> palettes, IReadOnlyList<string> words)
    {
        if (words.Count == 0) throw new CommandLineException($"no command given; palettes: {string.Join(", ", palettes.Select(p => p.Name))}");
        var palette = palettes.FirstOrDefault(p => p.Name == words[0])
            ?? throw new CommandLineException($"unknown palette '{words[0]}'; palettes: {string.Join(", ", palettes.Select(p => p.Name))}");
        if (words.Count == 1) throw new CommandLineException($"no command given for {palette.Name}; commands: {string.Join(", ", palette.Commands.Select(c => c.Name))}");
        var command = palette.Commands.FirstOrDefault(c => c.Name == words[1])
            ?? throw new CommandLineException($"unknown command '{palette.Name} {words[1]}'; commands: {string.Join(", ", palette.Commands.Select(c => c.Name))}");
        string usage = $"usage: {command.Usage(palette.Name)}";
        var values = new Dictionary<string, List<string>>();
        bool json = false;
        for (int i = 2; i < words.Count; i++)
        {
            string word = words[i];
            if (word == "--json")
            {
                json = true;
                continue;
            }
            var argument = command.Arguments.FirstOrDefault(a => word == $"--{a.Name}" || (a.Short is not null && word == $"-{a.Short}"))
                ?? throw new CommandLineException($"{palette.Name} {command.Name}: unknown switch '{word}'; {usage}");
            if (!values.TryGetValue(argument.Name, out var list)) values[argument.Name] = list = [];
            if (argument.IsFlag) continue;
            if (i + 1 >= words.Count) throw new CommandLineException($"{palette.Name} {command.Name}: {word} needs a value; {usage}");
            if (list.Count > 0 && !argument.Repeatable) throw new CommandLineException($"{palette.Name} {command.Name}: {word} is given twice; {usage}");
            list.Add(words[++i]);
        }
        foreach (var argument in command.Arguments)
        {
            if (values.ContainsKey(argument.Name)) continue;
            if (argument.Mandatory) throw new CommandLineException($"{palette.Name} {command.Name}: --{argument.Name} is required; {usage}");
            if (argument.Default is not null) values[argument.Name] = [argument.Default];
        }
        return new ParsedCommand(palette, command, values.ToDictionary(v => v.Key, v => (IReadOnlyList<string>)v.Value), json);
    }

    /// <summary>Splits a typed line into words: spaces separate, double quotes group, backslash escapes.</summary>
    /// <exception cref="CommandLineException">An unclosed quote.</exception>
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false, inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '\\' && i + 1 < line.Length) { current.Append(line[++i]); inWord = true; }
            else if (c == '"') { quoted = !quoted; inWord = true; }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (inWord) words.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
            else { current.Append(c); inWord = true; }
        }
        if (quoted) throw new CommandLineException("a quote is not closed");
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
