using System.Collections;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace ActorTrain.Cluster.Configuration;

/// <summary>
/// What an operator layers over the reference configuration — files (`--config`) and ACTORTRAIN__*
/// environment variables — and the check that every actortrain.* key they set is one the reference
/// knows: a misspelt key would otherwise be ignored without a word.
/// </summary>
public static class ConfigurationLayers
{
    public const string EnvironmentPrefix = "ACTORTRAIN__";

    /// <summary>ACTORTRAIN__TRAINING__STEP_TIMEOUT=30s becomes actortrain.training.step-timeout = "30s"
    /// ("__" separates levels, "_" stands for "-"). Values are strings; the settings readers convert and check them.</summary>
    public static Config FromEnvironment(IDictionary variables)
    {
        var lines = new List<string>();
        foreach (DictionaryEntry variable in variables)
        {
            string name = (string)variable.Key;
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) || name.Length == EnvironmentPrefix.Length) continue;
            string key = "actortrain." + string.Join('.', name[EnvironmentPrefix.Length..].Split("__").Select(part => part.ToLowerInvariant().Replace('_', '-')));
            lines.Add($"{key} = {EmbeddedHocon.Quote((string?)variable.Value ?? "")}");
        }
        return ConfigurationFactory.ParseString(string.Join('\n', lines));
    }

    /// <exception cref="ConfigurationException">An actortrain.* key the reference does not have, named with <paramref name="source"/>
    /// (and its line, when <paramref name="text"/> holds it) and the nearest known key.</exception>
    public static void CheckKeys(Config layer, string source, string? text = null)
    {
        var known = Keys(EmbeddedHocon.Load(EmbeddedHocon.Base)).ToHashSet(StringComparer.Ordinal);
        foreach (string key in Keys(layer).Where(k => k.StartsWith("actortrain.", StringComparison.Ordinal)))
        {
            if (known.Contains(key)) continue;
            string nearest = known.OrderBy(k => Distance(k, key)).First();
            string where = text is null ? source : $"{source}:{LineOf(text, key)}";
            throw new ConfigurationException($"{where}: unknown key {key} (did you mean {nearest}?)");
        }
    }

    /// <summary>Every leaf key (a value that is not an object), dotted.</summary>
    public static IEnumerable<string> Keys(Config config)
    {
        if (config.IsEmpty || config.Root is null) yield break;
        foreach (string key in Leaves(config.Root, "")) yield return key;
    }

    private static IEnumerable<string> Leaves(HoconValue value, string path)
    {
        if (!value.IsObject())
        {
            yield return path;
            yield break;
        }
        foreach (var (name, child) in value.GetObject().Items)
            foreach (string leaf in Leaves(child, path.Length == 0 ? name : $"{path}.{name}"))
                yield return leaf;
    }

    // The first line that names the key's last part (a key may be written nested or dotted).
    private static int LineOf(string text, string key)
    {
        string last = key[(key.LastIndexOf('.') + 1)..];
        string[] lines = text.Split('\n');
        int at = Array.FindIndex(lines, line => line.Contains(last, StringComparison.Ordinal));
        return at + 1;
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
