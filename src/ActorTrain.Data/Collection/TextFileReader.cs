using System.Collections.Immutable;
using System.Text;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Collection;

/// <summary>
/// Plain text, Markdown, source code and (through a converter) man pages: one document per file,
/// or per part of at most MaxRecordBytes cut at line ends when the file is larger.
/// </summary>
public sealed class TextFileReader(ReaderSettings settings, SourceFormat format, string? language, Func<string, string>? convert = null)
{
    public IEnumerable<ReadItem> Read(string path)
    {
        using var stream = CompressedFile.Open(path);
        var part = new MemoryStream();
        long index = 0, lineNumber = 0;
        bool checkedBinary = false;
        foreach (var line in new BoundedLineReader(stream, settings.MaxRecordBytes).ReadLines())
        {
            lineNumber++;
            if (line.TooLong)
            {
                yield return ReadItem.Bad(index++, $"line {lineNumber} is {line.Length} bytes, over the {settings.MaxRecordBytes}-byte record limit");
                continue;
            }
            if (!checkedBinary)
            {
                checkedBinary = true;
                if (Array.IndexOf(line.Bytes!, (byte)0) >= 0)
                {
                    yield return ReadItem.Bad(index, "binary file (NUL bytes in its first line)");
                    yield break;
                }
            }
            if (part.Length + line.Bytes!.Length + 1 > settings.MaxRecordBytes && part.Length > 0)
                yield return Emit(path, index++, part);
            part.Write(line.Bytes);
            part.WriteByte((byte)'\n');
        }
        if (part.Length > 0) yield return Emit(path, index, part);
    }

    private ReadItem Emit(string path, long index, MemoryStream part)
    {
        byte[] bytes = part.ToArray();
        part.SetLength(0);
        string? text = Utf8Decoder.Decode(bytes, settings.InvalidUtf8, out string? problem);
        if (text is null) return ReadItem.Bad(index, problem!);
        if (convert is not null) text = convert(text);
        var metadata = ImmutableDictionary<string, string>.Empty.Add("format", format.ToString().ToLowerInvariant());
        if (language is not null) metadata = metadata.Add(Document.LanguageKey, language);
        return ReadItem.Of(index, new Document(DocumentIds.For(path, index), text, path, metadata));
    }
}
