using System.Reflection;

namespace ActorTrain.Native.Versioning;

/// <summary>The version a package or project says it is, without the "+commit" build metadata.</summary>
public static class InformationalVersion
{
    public static string Of(Assembly assembly)
    {
        string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(version)) return assembly.GetName().Version?.ToString() ?? "unknown";
        int metadata = version.IndexOf('+');
        return metadata < 0 ? version : version[..metadata];
    }
}
