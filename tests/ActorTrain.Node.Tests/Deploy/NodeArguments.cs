using System.Reflection;
using ActorTrain.Node.Commands;
using Spectre.Console.Cli;

namespace ActorTrain.Node.Tests.Deploy;

/// <summary>
/// `actortrain node` arguments written in a manifest, bound to the command's real settings by their
/// option names and checked by the command's own validation, without starting a node.
/// </summary>
internal static class NodeArguments
{
    /// <returns>The settings; throws naming an unknown option or the validation's complaint.</returns>
    public static NodeCommand.Settings Check(IReadOnlyList<string> arguments, string source)
    {
        if (arguments.Count == 0 || arguments[0] != "node") throw new InvalidOperationException($"{source}: does not run `actortrain node`: {string.Join(' ', arguments)}");
        var settings = new NodeCommand.Settings();
        var options = typeof(NodeCommand.Settings).GetProperties()
            .Select(p => (Property: p, Option: p.GetCustomAttribute<CommandOptionAttribute>()))
            .Where(p => p.Option is not null)
            .SelectMany(p => p.Option!.LongNames.Select(name => (Name: "--" + name, p.Property)))
            .ToDictionary(p => p.Name, p => p.Property);
        for (int i = 1; i < arguments.Count; i += 2)
        {
            if (!options.TryGetValue(arguments[i], out var property)) throw new InvalidOperationException($"{source}: `actortrain node` has no option {arguments[i]}");
            if (i + 1 >= arguments.Count) throw new InvalidOperationException($"{source}: {arguments[i]} has no value");
            string value = arguments[i + 1];
            object bound = property.PropertyType == typeof(string[]) ? (string[])[.. (string[])property.GetValue(settings)!, value]
                : property.PropertyType == typeof(int) || property.PropertyType == typeof(int?) ? int.Parse(value)
                : value;
            property.SetValue(settings, bound);
        }
        var validation = settings.Validate();
        if (!validation.Successful) throw new InvalidOperationException($"{source}: {validation.Message}");
        return settings;
    }
}
