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
            foreach (string file in FilesUnder(path).Where(file => matcher.Match(path, file).HasMatches)) files.Add(file);
        }
        return files.ToArray();
    }

    // Every file under the directory (links to files included), without descending into symbolic links to
    // directories, as find does by default: the globbing library followed them, so Debian's /usr/bin/X11 -> .
    // made it list /usr/bin again at every depth until the path grew too long (`ingest --source /usr` gave up
    // after a minute, still listing), and links across a tree would name the same files twice.
    private static IEnumerable<string> FilesUnder(string directory)
    {
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(directory)]);
        while (pending.Count > 0)
        {
            foreach (var entry in pending.Pop().EnumerateFileSystemInfos())
            {
                if (entry is not DirectoryInfo subdirectory) yield return entry.FullName;
                else if (subdirectory.LinkTarget is null) pending.Push(subdirectory);
            }
        }
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
