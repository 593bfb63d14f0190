namespace ActorTrain.Node.Commands;

/// <summary>
/// Job and run names become directories (jobs/NAME, runs/NAME under the data directory) and entity ids, whether they
/// come from the command line or from pbm: one rule for both, so that neither can name a directory outside its parent
/// ("../x", "a/b") or an entity sharding refuses (an empty id is dropped, and its question goes unanswered).
/// </summary>
public static class DirectoryNames
{
    /// <returns>Why <paramref name="name"/>, given as <paramref name="option"/>, cannot be a name; null when it can.</returns>
    public static string? ProblemWith(string option, string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return $"{option} must not be empty";
        if (name.IndexOfAny(['/', '\\']) >= 0 || name.Any(char.IsWhiteSpace) || name.Any(char.IsControl))
            return $"{option} '{name}' must not contain '/', '\\', spaces or control characters";
        if (name is "." or "..") return $"{option} '{name}' is not a name";
        return null;
    }

    /// <returns>Why <paramref name="path"/>, given as <paramref name="option"/>, is not an existing directory (missing, or
    /// a file: "no such directory" sent the user looking for a path that was there); null when it is one.</returns>
    public static string? NotADirectory(string option, string? path) =>
        path is null ? $"{option} is required"
        : Directory.Exists(path) ? null
        : File.Exists(path) ? $"{option} {path}: a file, not a directory"
        : $"{option} {path}: no such directory";
}
