namespace ActorTrain.Data.Collection;

public enum SourceFormat
{
    Text,
    Markdown,
    Code,
    Jsonl,
    Parquet,
    Html,
    Warc,
    ManPage,
}

/// <summary>A file's format from its name (compression extensions looked through).</summary>
public static class SourceFormats
{
    // Extension -> language, for source code kept as code.
    public static readonly IReadOnlyDictionary<string, string> CodeLanguages = new Dictionary<string, string>
    {
        [".cs"] = "csharp", [".py"] = "python", [".c"] = "c", [".h"] = "c", [".cpp"] = "cpp", [".hpp"] = "cpp",
        [".cc"] = "cpp", [".cu"] = "cuda", [".rs"] = "rust", [".go"] = "go", [".java"] = "java", [".js"] = "javascript",
        [".ts"] = "typescript", [".rb"] = "ruby", [".sh"] = "shell", [".pl"] = "perl", [".lua"] = "lua",
        [".kt"] = "kotlin", [".swift"] = "swift", [".scala"] = "scala", [".sql"] = "sql", [".fs"] = "fsharp",
    };

    public static SourceFormat Detect(string path, out string? language)
    {
        language = null;
        string name = CompressedFile.InnerName(path).ToLowerInvariant();
        string extension = Path.GetExtension(name);
        if (CodeLanguages.TryGetValue(extension, out string? code))
        {
            language = code;
            return SourceFormat.Code;
        }
        return extension switch
        {
            ".jsonl" or ".ndjson" => SourceFormat.Jsonl,
            ".parquet" => SourceFormat.Parquet,
            ".html" or ".htm" or ".xhtml" => SourceFormat.Html,
            ".warc" => SourceFormat.Warc,
            ".md" or ".markdown" => SourceFormat.Markdown,
            // man pages: section suffix under a man directory, e.g. /usr/share/man/man1/ls.1.gz
            _ when extension.Length == 2 && char.IsAsciiDigit(extension[1]) && path.Contains("/man", StringComparison.Ordinal) => SourceFormat.ManPage,
            _ => SourceFormat.Text,
        };
    }
}
