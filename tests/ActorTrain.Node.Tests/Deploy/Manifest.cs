using YamlDotNet.RepresentationModel;

namespace ActorTrain.Node.Tests.Deploy;

/// <summary>A YAML document of deploy/, walked by path: the tests' view of a manifest.</summary>
internal sealed class Manifest(YamlNode root)
{
    public YamlNode Root { get; } = root;

    /// <summary>Every document of a (possibly multi-document) YAML file.</summary>
    public static IReadOnlyList<Manifest> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return [.. stream.Documents.Select(d => new Manifest(d.RootNode))];
    }

    public static Manifest Kind(IEnumerable<Manifest> documents, string kind) =>
        documents.Single(d => d.Text("kind") == kind);

    /// <summary>The node at a dotted path of mapping keys (list items by [index]); throws naming the path when absent.</summary>
    public YamlNode At(string path)
    {
        var node = Root;
        foreach (string part in path.Split('.'))
        {
            node = part.StartsWith('[')
                ? ((YamlSequenceNode)node).Children[int.Parse(part[1..^1])]
                : ((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode(part), out var child) ? child
                    : throw new KeyNotFoundException($"{path}: no '{part}'");
        }
        return node;
    }

    public string Text(string path) => ((YamlScalarNode)At(path)).Value ?? "";

    public IReadOnlyList<string> Texts(string path) => [.. ((YamlSequenceNode)At(path)).Children.Select(c => ((YamlScalarNode)c).Value ?? "")];

    public IReadOnlyList<Manifest> Items(string path) => [.. ((YamlSequenceNode)At(path)).Children.Select(c => new Manifest(c))];

    public bool Has(string path)
    {
        try
        {
            At(path);
            return true;
        }
        catch (KeyNotFoundException)
        {
            return false;
        }
    }
}
