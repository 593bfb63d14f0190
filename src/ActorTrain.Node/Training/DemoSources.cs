using System.Security.Cryptography;
using System.Text;
using ActorTrain.Data.Collection;

namespace ActorTrain.Node.Training;

/// <summary>
/// The text the demo learns from: by default this machine's own — manual pages and package
/// documentation — or the repository it was built from when those are absent; capped so the whole
/// demo fits its time budget. Each source gets an equal share of the cap, taking its files in
/// sorted order, so the same machine gives the same selection (and the demo reuses its ingest).
/// </summary>
public static class DemoSources
{
    private static readonly SourceSpec[] MachineText =
    [
        new("/usr/share/man", ["man1/**", "man3/**", "man5/**", "man7/**", "man8/**"], []),
        new("/usr/share/doc", ["**/README*", "**/*.md", "**/*.txt", "**/NEWS*"], []),
    ];

    /// <returns>The files, and a job name that changes when the selection does.</returns>
    public static (IReadOnlyList<string> Files, string Job) Select(IReadOnlyList<string> explicitSources, long maxBytes, string repository)
    {
        var specs = explicitSources.Count > 0
            ? explicitSources.Select(SourceSpec.Everything).ToArray()
            : MachineText.Where(s => Directory.Exists(s.Path)).ToArray();
        if (specs.Length == 0) specs = [new SourceSpec(repository, ["**/*.md", "**/*.cs", "**/*.cpp", "**/*.h", "**/*.inl", "**/*.conf"], ["**/bin/**", "**/obj/**", "artifacts/**", ".git/**"])];
        long share = maxBytes / specs.Length;
        var files = new List<string>();
        foreach (var spec in specs)
        {
            long taken = 0;
            foreach (string file in SourceFiles.List([spec]))
            {
                long size = new FileInfo(file).Length;
                if (taken + size > share) continue;
                files.Add(file);
                taken += size;
            }
        }
        var identity = new StringBuilder();
        foreach (string file in files) identity.Append(file).Append(':').Append(new FileInfo(file).Length).Append('\n');
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity.ToString())))[..10];
        return (files, $"demo-{hash}");
    }
}
