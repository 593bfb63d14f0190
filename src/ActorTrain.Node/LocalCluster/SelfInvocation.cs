using System.Diagnostics;
using System.Reflection;

namespace ActorTrain.Node.LocalCluster;

/// <summary>How to start this same `actortrain` executable again as a child process.</summary>
public static class SelfInvocation
{
    /// <summary>A start of this program with <paramref name="arguments"/>: the apphost directly, or
    /// `dotnet actortrain.dll` when it was itself started through the dotnet host.</summary>
    public static ProcessStartInfo With(IEnumerable<string> arguments)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry ? entry
                : throw new InvalidOperationException("the entry assembly of this process is unknown"));
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }
}
