using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace ActorTrain.Data.Collection;

/// <summary>
/// The body of an HTTP response as a WARC response record holds it, decoded as the client would have: chunked transfer
/// undone, then gzip, deflate or brotli content decoded (Common Crawl strips both; wget and other crawlers keep them).
/// Header names and values are read as HTTP has them: any case, any spacing around the colon.
/// </summary>
public static class HttpResponseBody
{
    /// <summary>The decoded body of an HTML (or XHTML) response; null with <paramref name="problem"/> null for another
    /// content type, or with the problem when the response cannot be decoded.</summary>
    public static ArraySegment<byte>? Html(byte[] block, long maxBytes, out string? problem)
    {
        problem = null;
        int headerEnd = block.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            problem = "HTTP response without a header end";
            return null;
        }
        var headers = Headers(Encoding.Latin1.GetString(block, 0, headerEnd));
        string type = headers.GetValueOrDefault("content-type", "");
        if (!type.StartsWith("text/html", StringComparison.Ordinal) && !type.StartsWith("application/xhtml", StringComparison.Ordinal)) return null;
        // The record's own bytes when nothing is to be undone (Common Crawl's case): no copy of the body.
        var body = new ArraySegment<byte>(block, headerEnd + 4, block.Length - headerEnd - 4);
        if (headers.GetValueOrDefault("transfer-encoding", "") is var transfer && transfer.Contains("chunked", StringComparison.Ordinal))
            body = Unchunked(body, out problem);
        if (problem is null && headers.GetValueOrDefault("content-encoding", "identity") is var coding && coding is not ("identity" or ""))
            body = Decompressed(body, coding, maxBytes, out problem);
        return problem is null ? body : (ArraySegment<byte>?)null;
    }

    // Lower-cased names and values; a repeated header keeps its last value.
    private static Dictionary<string, string> Headers(string head)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in head.Split("\r\n").Skip(1)) // the status line first
        {
            int colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim().ToLowerInvariant();
        }
        return headers;
    }

    private static byte[] Unchunked(ArraySegment<byte> body, out string? problem)
    {
        problem = null;
        var content = new MemoryStream();
        int at = 0;
        while (true)
        {
            int lineEnd = body.AsSpan(at).IndexOf("\r\n"u8);
            string sizeText = lineEnd < 0 ? "" : Encoding.Latin1.GetString(body.AsSpan(at, lineEnd)).Split(';')[0].Trim();
            if (!long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long size) || size < 0)
            {
                problem = $"chunked body: '{sizeText}' at byte {at} is not a chunk size";
                return [];
            }
            at += lineEnd + 2;
            if (size == 0) return content.ToArray();
            if (size > body.Count - at)
            {
                problem = $"chunked body: a chunk of {size} bytes at byte {at} runs past the record's end";
                return [];
            }
            content.Write(body.AsSpan(at, (int)size));
            at += (int)size + 2; // the chunk's CRLF
            if (at > body.Count) return content.ToArray(); // the last CRLF cut off: what came is kept
        }
    }

    private static byte[] Decompressed(ArraySegment<byte> body, string coding, long maxBytes, out string? problem)
    {
        problem = null;
        using var compressed = new MemoryStream(body.Array!, body.Offset, body.Count, writable: false);
        Stream? decoder = coding switch
        {
            "gzip" or "x-gzip" => new GZipStream(compressed, CompressionMode.Decompress),
            "deflate" => new ZLibStream(compressed, CompressionMode.Decompress),
            "br" => new BrotliStream(compressed, CompressionMode.Decompress),
            _ => null,
        };
        if (decoder is null)
        {
            problem = $"content encoding '{coding}' is not decoded (gzip, deflate and br are)";
            return [];
        }
        try
        {
            using (decoder)
            {
                if (BoundedRead.All(decoder, maxBytes, out long size) is { } decoded) return decoded;
                problem = $"{coding} body decodes to more than the {maxBytes}-byte record limit";
                return [];
            }
        }
        catch (InvalidDataException e)
        {
            problem = $"{coding} body is corrupt ({e.Message})";
            return [];
        }
    }
}
