using Akka.Configuration;

namespace ActorTrain.Cluster.Configuration;

/// <summary>
/// Reads an operator's HOCON file. Akka's parser accepts an object, array or string that is never
/// closed and a key with no value without a word (and the node then runs on something else than what
/// the file meant), so the structure is checked first and a mistake is named with its file and line.
/// </summary>
public static partial class HoconFile
{
    /// <exception cref="ConfigurationException">Unreadable structure or a parse error; the message starts with the file and line.</exception>
    public static Config Load(string path) => Parse(ReadText(path), path);

    /// <summary>The text of <paramref name="source"/> (a file already read with <see cref="ReadText"/>), checked and parsed.</summary>
    /// <exception cref="ConfigurationException">Unreadable structure or a parse error; the message starts with the source and line.</exception>
    public static Config Parse(string text, string source)
    {
        Check(text, source);
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"{source}: {e.Message}");
        }
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's text, read as UTF-8 and refused where it is not: decoded leniently, a stray byte became U+FFFD
    /// inside a value (a path, a connection string) and the node ran on that.</summary>
    /// <exception cref="ConfigurationException">A directory, or bytes that are not UTF-8 (named by line and offset).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string ReadText(string path)
    {
        if (Directory.Exists(path)) throw new ConfigurationException($"{path}: a directory, not a HOCON file");
        byte[] bytes = File.ReadAllBytes(path);
        int start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0; // a byte-order mark is UTF-8 all the same
        try
        {
            return StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            int offset = start + Math.Max(e.Index, 0);
            int line = bytes.AsSpan(0, offset).Count((byte)'\n') + 1;
            throw Error(path, line, $"not UTF-8 (byte 0x{bytes[offset]:X2} at offset {offset}): HOCON files are read as UTF-8");
        }
    }

    /// <exception cref="ConfigurationException">An unclosed or mismatched brace or bracket, an unterminated string, a key
    /// without a value, or an include.</exception>
    public static void Check(string text, string source)
    {
        // Akka's parser is given no way to read other files: an include failed inside it with a NullReferenceException.
        if (IncludeLine().Match(text) is { Success: true } include)
            throw Error(source, text.AsSpan(0, include.Index).Count('\n') + 1, "includes are not followed: put the included settings in this file");
        var open = new Stack<(char Bracket, int Line)>();
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '\n':
                    line++;
                    break;
                case '#':
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                    break;
                case '"' when string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0:
                    int close = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (close < 0) throw Error(source, line, "a \"\"\" string is never closed");
                    line += text.AsSpan(i, close - i).Count('\n');
                    i = close + 2;
                    break;
                case '"':
                    i++;
                    while (i < text.Length && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' ? 2 : 1;
                    if (i >= text.Length || text[i] != '"') throw Error(source, line, "a string is not closed on its line");
                    break;
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    char expected = c == '}' ? '{' : '[';
                    if (open.Count == 0) throw Error(source, line, $"'{c}' closes nothing");
                    var (bracket, at) = open.Pop();
                    if (bracket != expected) throw Error(source, line, $"'{c}' closes the '{bracket}' opened at line {at}");
                    break;
                case '=' or ':':
                    int next = i + 1;
                    while (next < text.Length && text[next] is ' ' or '\t') next++;
                    if (next >= text.Length || text[next] is '\n' or '\r' or '}' or ']' or ',' or '#')
                        throw Error(source, line, $"'{KeyBefore(text, i)}' has no value");
                    break;
            }
        }
        if (open.Count > 0)
        {
            var (bracket, at) = open.Pop();
            throw Error(source, at, $"'{bracket}' is never closed");
        }
    }

    private static string KeyBefore(string text, int separator)
    {
        int end = separator;
        while (end > 0 && text[end - 1] is ' ' or '\t' or '+') end--;
        int start = end;
        while (start > 0 && (char.IsLetterOrDigit(text[start - 1]) || text[start - 1] is '.' or '-' or '_' or '"')) start--;
        return text[start..end];
    }

    private static ConfigurationException Error(string source, int line, string problem) => new($"{source}:{line}: {problem}");

    [System.Text.RegularExpressions.GeneratedRegex(@"^[ \t]*include[ \t]+(""|(required|file|url|classpath)[ \t]*\()", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex IncludeLine();
}
