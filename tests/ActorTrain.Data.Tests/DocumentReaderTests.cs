using System.IO.Compression;
using System.Text;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Collection;
using ActorTrain.Testing;
using Parquet;
using Parquet.Schema;
using Xunit;

namespace ActorTrain.Data.Tests;

/// <summary>Every reader on fixtures written here, good and broken.</summary>
public sealed class DocumentReaderTests : IDisposable
{
    private readonly TemporaryDirectory corpus = new("actortrain-corpus-");
    private readonly DocumentReader reader = new(new ReaderSettings());

    public void Dispose() => corpus.Dispose();

    private string Write(string name, byte[] bytes)
    {
        string path = corpus.Combine(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    private List<ReadItem> Read(string path) => reader.Read(path).ToList();

    [Fact]
    public void Plain_text_is_one_document_with_a_stable_id()
    {
        string path = Write("notes.txt", "first line\nsecond line\n");
        var item = Assert.Single(Read(path));
        Assert.Equal($"{path}#0", item.Document!.Id);
        Assert.Equal("first line\nsecond line\n", item.Document.Text);
        Assert.Equal("text", item.Document.Metadata["format"]);
    }

    [Fact]
    public void Source_code_is_kept_as_code_with_its_language()
    {
        var document = Assert.Single(Read(Write("tool.py", "def f():\n\treturn 1\n"))).Document!;
        Assert.True(document.IsCode);
        Assert.Equal("python", document.Metadata["language"]);
    }

    [Fact]
    public void Gzip_and_zstd_are_read_transparently()
    {
        byte[] text = Encoding.UTF8.GetBytes("compressed words\n");
        var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(text);
        using var compressor = new ZstdSharp.Compressor();
        Assert.Equal("compressed words\n", Assert.Single(Read(Write("a.txt.gz", gz.ToArray()))).Document!.Text);
        Assert.Equal("compressed words\n", Assert.Single(Read(Write("b.md.zst", compressor.Wrap(text).ToArray()))).Document!.Text);
    }

    [Fact]
    public void Jsonl_keeps_other_fields_as_metadata_and_survives_a_malformed_line()
    {
        string path = Write("docs.jsonl", string.Join('\n',
            """{"text": "first", "url": "http://a/", "score": 0.5}""",
            """{"text": "broken""",
            """{"title": "no text"}""",
            """{"text": "fourth"}""",
            ""));
        var items = Read(path);
        Assert.Equal(["first", null, null, "fourth"], items.Select(i => i.Document?.Text));
        Assert.Equal("http://a/", items[0].Document!.Metadata["url"]);
        Assert.Equal("0.5", items[0].Document!.Metadata["score"]);
        Assert.StartsWith("line 2: invalid JSON", items[1].Problem);
        Assert.Equal("line 3: no string field 'text'", items[2].Problem);
        Assert.Equal($"{path}#3", items[3].Document!.Id);
    }

    // A Parquet file of one string column "text", a row group per array.
    private async Task<string> ParquetOf(string name, params string[][] groups)
    {
        var field = new DataField<string>("text");
        string path = corpus.Combine(name);
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(field), file);
        foreach (var rows in groups)
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(field, rows);
        }
        return path;
    }

    [Fact]
    public async Task Parquet_rows_of_the_text_column_are_documents()
    {
        string path = await ParquetOf("table.parquet", ["row one", "row two"]);
        var items = Read(path);
        Assert.True(items.All(i => i.Document is not null), string.Join("; ", items.Select(i => i.Problem)));
        Assert.Equal(["row one", "row two"], items.Select(i => i.Document!.Text));
    }

    [Fact]
    public async Task A_parquet_row_group_damaged_behind_an_intact_footer_is_a_bad_record_after_the_good_rows()
    {
        string path = await ParquetOf("damaged.parquet", ["row one", "row two"], ["row three", "row four"]);
        long offset, length;
        await using (var file = File.OpenRead(path))
        await using (var reader = await ParquetReader.CreateAsync(file))
        {
            var chunk = reader.Metadata!.RowGroups[1].Columns[0].MetaData!;
            (offset, length) = (chunk.DataPageOffset, chunk.TotalCompressedSize);
        }
        byte[] bytes = File.ReadAllBytes(path);
        Array.Fill(bytes, (byte)0xEE, (int)offset, (int)length); // the second group's pages; the footer still describes them
        File.WriteAllBytes(path, bytes);

        var items = Read(path);
        Assert.Equal(["row one", "row two"], items.Take(2).Select(i => i.Document!.Text));
        var bad = Assert.Single(items.Skip(2));
        Assert.Equal(2, bad.Index);
        Assert.StartsWith($"{path}: row group 1 is not readable (", bad.Problem);
    }

    [Fact]
    public void Html_main_content_is_extracted_without_navigation()
    {
        string article = string.Join(" ", Enumerable.Range(1, 12).Select(i => Prose.Sentence(i)));
        string html = $"""
            <html><head><title>River notes</title><script>var tracking = 1;</script></head>
            <body><nav><a href="/">Home</a> <a href="/shop">Shop the sale</a></nav>
            <article><h1>River notes</h1><p>{article}</p><p>{article}</p></article>
            <footer>Copyright footer text</footer></body></html>
            """;
        var document = Assert.Single(Read(Write("page.html", html))).Document!;
        Assert.Contains(Prose.Sentence(3), document.Text);
        Assert.DoesNotContain("Shop the sale", document.Text);
        Assert.DoesNotContain("tracking", document.Text);
    }

    [Fact]
    public void Warc_response_records_become_documents_with_their_url()
    {
        string body = $"<html><body><article><p>{string.Join(" ", Enumerable.Range(1, 15).Select(i => Prose.Sentence(i)))}</p></article></body></html>";
        string http = $"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}";
        string request = "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n";
        string Record(string type, string content) =>
            $"WARC/1.0\r\nWARC-Type: {type}\r\nWARC-Target-URI: http://example.org/river\r\nContent-Length: {Encoding.UTF8.GetByteCount(content)}\r\n\r\n{content}\r\n\r\n";
        var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            zip.Write(Encoding.UTF8.GetBytes(Record("request", request) + Record("response", http)));
        var document = Assert.Single(Read(Write("crawl.warc.gz", gz.ToArray()))).Document!;
        Assert.Equal("http://example.org/river", document.Metadata["url"]);
        Assert.Contains(Prose.Sentence(7), document.Text);
    }

    [Fact]
    public void Warc_responses_kept_chunked_and_gzipped_are_decoded_and_other_encodings_and_endless_headers_are_bad_records()
    {
        string article = $"<html><body><article><p>{string.Join(" ", Enumerable.Range(1, 15).Select(i => Prose.Sentence(i)))}</p></article></body></html>";
        var zipped = new MemoryStream();
        using (var zip = new GZipStream(zipped, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(Encoding.UTF8.GetBytes(article));
        byte[] gz = zipped.ToArray();
        // Chunked as wget keeps it: two chunks (hex sizes, one with an extension), then the last one.
        byte[] chunked = [.. Encoding.ASCII.GetBytes($"{10:x}\r\n"), .. gz[..10], .. "\r\n"u8, .. Encoding.ASCII.GetBytes($"{gz.Length - 10:x};ext=1\r\n"), .. gz[10..], .. "\r\n0\r\n\r\n"u8];
        byte[] Response(string headers, byte[] body) => [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\n{headers}\r\n\r\n"), .. body];
        byte[] Record(byte[] block) =>
            [.. Encoding.ASCII.GetBytes($"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.org/river\r\nContent-Length: {block.Length}\r\n\r\n"), .. block, .. "\r\n\r\n"u8];
        byte[] warc =
        [
            .. Record(Response("Content-Type:text/html;charset=UTF-8\r\nTransfer-Encoding: chunked\r\nCONTENT-ENCODING:  gzip", chunked)),
            .. Record(Response("Content-Type: text/html\r\nContent-Encoding: compress", gz)),
        ];
        var items = Read(Write("kept.warc", warc));
        Assert.Contains(Prose.Sentence(7), items[0].Document!.Text);
        Assert.Equal("record 1: content encoding 'compress' is not decoded (gzip, deflate and br are)", items[1].Problem);

        // A header that never ends (a damaged file): one bad record, not a header table that grows with the file.
        string endless = "WARC/1.0\r\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"X-Header-{i}: value\r\n"));
        var bad = Assert.Single(Read(Write("endless.warc", endless)));
        Assert.StartsWith("record 0: not a WARC record header", bad.Problem);
    }

    [Fact]
    public void Man_pages_are_turned_from_roff_into_text()
    {
        string roff = ".\\\" comment\n.TH LS 1\n.SH NAME\nls \\- list directory contents\n.SH DESCRIPTION\n.B ls\nlists \\fBfiles\\fR and \\(aqdirs\\(aq.\n.PP\nSecond paragraph.\n";
        var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(Encoding.UTF8.GetBytes(roff));
        var document = Assert.Single(Read(Write("man/man1/ls.1.gz", gz.ToArray()))).Document!;
        Assert.Equal("NAME\nls - list directory contents\n\nDESCRIPTION\nls\nlists files and 'dirs'.\n\nSecond paragraph.", document.Text);
    }

    [Fact]
    public void A_binary_file_is_one_bad_record()
    {
        var item = Assert.Single(Read(Write("image.txt", [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01, 0x0A])));
        Assert.Equal("binary file (NUL bytes in its first line)", item.Problem);
    }

    [Fact]
    public void A_truncated_gzip_ends_the_file_with_a_bad_record_naming_it()
    {
        var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            zip.Write(Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, 20000).Select(i => $"line {i} of a long file"))));
        string path = Write("cut.txt.gz", gz.ToArray()[..(int)(gz.Length / 2)]);
        var last = Read(path)[^1];
        Assert.StartsWith($"{path}: ", last.Problem);
    }

    [Fact]
    public void Concatenated_gzip_members_are_read_as_one_stream()
    {
        var gz = new MemoryStream();
        foreach (string part in new[] { "first member\n", "second member\n" })
            using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(Encoding.UTF8.GetBytes(part));
        Assert.Equal("first member\nsecond member\n", Assert.Single(Read(Write("two.txt.gz", gz.ToArray()))).Document!.Text);
    }

    [Fact]
    public void A_corrupt_zstd_file_ends_with_a_bad_record_naming_it()
    {
        using var compressor = new ZstdSharp.Compressor();
        byte[] whole = compressor.Wrap(Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, 20000).Select(i => $"line {i} of a long file")))).ToArray();
        string path = Write("cut.txt.zst", whole[..(whole.Length / 2)]);
        var last = Read(path)[^1];
        Assert.StartsWith($"{path}: ", last.Problem);
    }

    [Fact]
    public void Invalid_utf8_is_quarantined_with_its_offset_when_configured()
    {
        var strict = new DocumentReader(new ReaderSettings { InvalidUtf8 = InvalidUtf8.Quarantine });
        var item = Assert.Single(strict.Read(Write("bad.txt", [.. "ok "u8, 0xFF, .. " rest\n"u8])));
        Assert.Equal("invalid UTF-8 at byte 3", item.Problem);
        Assert.Contains("\uFFFD", Assert.Single(Read(corpus.Combine("bad.txt"))).Document!.Text); // default: repaired
    }

    [Fact]
    public void A_200_megabyte_single_line_is_reported_without_being_held_in_memory()
    {
        string path = corpus.Combine("huge.txt");
        using (var file = File.Create(path))
        {
            var chunk = Encoding.ASCII.GetBytes(new string('x', 1 << 20));
            for (int i = 0; i < 200; i++) file.Write(chunk);
            file.Write("\nafter the long line\n"u8);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var items = Read(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal($"line 1 is {200L << 20} bytes, over the {4 << 20}-byte record limit", items[0].Problem);
        Assert.Equal("after the long line\n", items[1].Document!.Text);
        Assert.True(allocated < 64L << 20, $"reading allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void An_unreadable_path_is_one_bad_record_naming_it()
    {
        string directory = corpus.Combine("not-a-file.txt");
        Directory.CreateDirectory(directory);
        var item = Assert.Single(Read(directory));
        Assert.StartsWith($"{directory}: ", item.Problem);
    }
}
