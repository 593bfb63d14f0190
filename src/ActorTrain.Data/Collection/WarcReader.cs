using System.Collections.Immutable;
using System.Text;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Collection;

/// <summary>
/// WARC files (ISO 28500, as Common Crawl ships them, usually .warc.gz): every HTTP response record
/// with an HTML body becomes a document of its main text, its URL kept as metadata. Other records
/// (request, metadata, warcinfo) are skipped; a truncated record ends the file with a problem.
/// </summary>
public sealed class WarcReader(ReaderSettings settings)
{
    public IEnumerable<ReadItem> Read(string path)
    {
        using var stream = new BufferedStream(CompressedFile.Open(path), 1 << 16);
        long index = -1;
        while (true)
        {
            var headers = ReadHeaders(stream, out bool endOfFile);
            if (endOfFile) yield break;
            index++;
            if (headers is null || !headers.TryGetValue("content-length", out string? lengthText) || !long.TryParse(lengthText, out long length) || length < 0)
            {
                yield return ReadItem.Bad(index, $"record {index}: not a WARC record header (no valid Content-Length, or over {MaxHeaderBytes} bytes)");
                yield break;
            }
            string type = headers.GetValueOrDefault("warc-type", "");
            bool wanted = type == "response" && length <= settings.MaxRecordBytes;
            byte[]? block = wanted ? ReadExactly(stream, length) : (Skip(stream, length) ? [] : null);
            if (block is null)
            {
                yield return ReadItem.Bad(index, $"record {index}: truncated ({length} bytes announced)");
                yield break;
            }
            if (type == "response" && !wanted)
                yield return ReadItem.Bad(index, $"record {index}: {length} bytes, over the {settings.MaxRecordBytes}-byte record limit");
            else if (wanted && Response(path, index, headers.GetValueOrDefault("warc-target-uri", ""), block) is { } item)
                yield return item;
        }
    }

    private ReadItem? Response(string path, long index, string url, byte[] block)
    {
        var body = HttpResponseBody.Html(block, settings.MaxRecordBytes, out string? problem);
        if (problem is not null) return ReadItem.Bad(index, $"record {index}: {problem}");
        if (body is not { } utf8Body) return null; // images, scripts, PDFs: not text we extract
        string? html = Utf8Decoder.Decode(utf8Body, settings.InvalidUtf8, out problem);
        if (html is null) return ReadItem.Bad(index, $"record {index}: {problem}");
        var (text, title) = HtmlText.Extract(html, Uri.TryCreate(url, UriKind.Absolute, out _) ? url : "http://unknown/");
        var metadata = ImmutableDictionary<string, string>.Empty.Add("format", "warc").Add("url", url);
        if (title is not null) metadata = metadata.Add("title", title);
        return ReadItem.Of(index, new Document(DocumentIds.For(path, index), text, path, metadata));
    }

    // A record's header block is at most this long (real ones are under 2 KB): a damaged or hostile file whose "header"
    // never ends is a bad record, not a dictionary that grows with it.
    private const int MaxHeaderBytes = 64 * 1024;

    // Header lines up to the blank line; null (with endOfFile false) for garbage.
    private static Dictionary<string, string>? ReadHeaders(Stream stream, out bool endOfFile)
    {
        endOfFile = false;
        string? first;
        int budget = MaxHeaderBytes;
        do
        {
            first = ReadLine(stream, ref budget);
            if (first is null)
            {
                endOfFile = budget >= 0;
                return null;
            }
        } while (first.Length == 0 && budget > 0); // blank lines between records
        if (!first.StartsWith("WARC/", StringComparison.Ordinal)) return null;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            string? line = ReadLine(stream, ref budget);
            if (line is null) return null; // the file ended inside the header, or the header is over its limit
            if (line.Length == 0) return headers;
            int colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
    }

    // The next line without its end; null at the file's end, or (budget then negative) past the header's byte budget.
    private static string? ReadLine(Stream stream, ref int budget)
    {
        var bytes = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n')
        {
            if (--budget < 0) return null;
            bytes.Add((byte)b);
        }
        budget--;
        if (b < 0 && bytes.Count == 0) return null;
        return Encoding.UTF8.GetString(bytes.ToArray()).TrimEnd('\r');
    }

    private static byte[]? ReadExactly(Stream stream, long length)
    {
        var block = new byte[length];
        int total = 0;
        while (total < length)
        {
            int read = stream.Read(block, total, (int)(length - total));
            if (read == 0) return null;
            total += read;
        }
        return block;
    }

    private static bool Skip(Stream stream, long length)
    {
        var buffer = new byte[1 << 16];
        while (length > 0)
        {
            int read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, length));
            if (read == 0) return false;
            length -= read;
        }
        return true;
    }
}
