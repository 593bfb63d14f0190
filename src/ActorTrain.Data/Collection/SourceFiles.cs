using Microsoft.Extensions.FileSystemGlobbing;

namespace ActorTrain.Data.Collection;

/// <summary>
/// The files of a job's sources, in one fixed order (ordinal by full path), and their split into
/// shards. Both depend only on the file tree, so a resumed job plans exactly the same shards.
/// </summary>
public static class SourceFiles
{
    /// <exception cref="FileNotFoundException">A source path does not exist.</exception>
    public static IReadOnlyList<string> List(IEnumerable<SourceSpec> sources)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            string path = Path.GetFullPath(source.Path);
            if (File.Exists(path))
            {
                files.Add(path);
                continue;
            }
            if (!Directory.Exists(path)) throw new FileNotFoundException($"source {source.Path} does not exist", source.Path);
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddIncludePatterns(source.Include.Count == 0 ? ["**/*"] : source.Include);
            matcher.AddExcludePatterns(source.Exclude);
            foreach (string file in matcher.GetResultsInFullPath(path)) files.Add(Path.GetFullPath(file));
        }
        return files.ToArray();
    }

    /// <summary>Splits the files into <paramref name="shards"/> contiguous runs of about equal total
    /// size (greedy on the fixed order), so shards finish at about the same time.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Partition(IReadOnlyList<string> files, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        var sizes = files.Select(f => Math.Max(new FileInfo(f).Length, 1)).ToArray();
        long total = sizes.Sum(), target = Math.Max(total / shards, 1);
        var plan = Enumerable.Range(0, shards).Select(_ => new List<string>()).ToArray();
        long filled = 0;
        for (int i = 0; i < files.Count; i++)
        {
            int shard = (int)Math.Min(filled / target, shards - 1);
            plan[shard].Add(files[i]);
            filled += sizes[i];
        }
        return plan;
    }
}
