namespace ActorTrain.Data.Collection;

/// <summary>
/// Reads any supported source file into records, by its format. Whatever goes wrong with the file
/// (unreadable, corrupt compression, garbage) becomes a final bad record naming the file and the
/// cause: a shard counts it and moves on to the next file.
/// </summary>
public sealed class DocumentReader(ReaderSettings settings)
{
    public IEnumerable<ReadItem> Read(string path)
    {
        IEnumerable<ReadItem> records;
        try
        {
            records = Records(path);
        }
        catch (Exception e) when (IsFileProblem(e))
        {
            return [ReadItem.Bad(0, Describe(path, e))];
        }
        return Guarded(path, records);
    }

    private IEnumerable<ReadItem> Records(string path)
    {
        var format = SourceFormats.Detect(path, out string? language);
        return format switch
        {
            SourceFormat.Jsonl => new JsonlReader(settings).Read(path),
            SourceFormat.Parquet => new ParquetFileReader(settings).Read(path),
            SourceFormat.Html => new HtmlFileReader(settings).Read(path),
            SourceFormat.Warc => new WarcReader(settings).Read(path),
            SourceFormat.ManPage => new TextFileReader(settings, format, null, ManPageText.Convert).Read(path),
            _ => new TextFileReader(settings, format, language).Read(path),
        };
    }

    // Iterator exceptions surface in MoveNext: turn the first into a bad record and stop the file.
    private static IEnumerable<ReadItem> Guarded(string path, IEnumerable<ReadItem> records)
    {
        using var enumerator = records.GetEnumerator();
        long next = 0;
        while (true)
        {
            ReadItem item;
            string? failure = null;
            try
            {
                if (!enumerator.MoveNext()) yield break;
                item = enumerator.Current;
            }
            catch (Exception e) when (IsFileProblem(e))
            {
                item = default;
                failure = Describe(path, e);
            }
            if (failure is not null)
            {
                yield return ReadItem.Bad(next, failure);
                yield break;
            }
            next = item.Index + 1;
            yield return item;
        }
    }

    private static bool IsFileProblem(Exception e) =>
        e is IOException or UnauthorizedAccessException or InvalidDataException or ZstdSharp.ZstdException or FormatException
            or ICSharpCode.SharpZipLib.SharpZipBaseException;

    private static string Describe(string path, Exception e) => e switch
    {
        UnauthorizedAccessException => $"{path}: cannot be read (permission denied)",
        FileNotFoundException => $"{path}: no such file",
        _ => $"{path}: {e.GetType().Name}: {e.Message}",
    };
}
