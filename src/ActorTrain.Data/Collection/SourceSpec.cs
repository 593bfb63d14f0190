namespace ActorTrain.Data.Collection;

/// <summary>A source of an ingest job: a file, or a directory tree filtered by globs.</summary>
/// <param name="Path">File or directory.</param>
/// <param name="Include">Globs relative to a directory source ("**/*.txt"); empty means every file.</param>
/// <param name="Exclude">Globs removed after the includes (".git/**", "**/*.png").</param>
public sealed record SourceSpec(string Path, IReadOnlyList<string> Include, IReadOnlyList<string> Exclude)
{
    public static SourceSpec Everything(string path) => new(path, [], []);
}
