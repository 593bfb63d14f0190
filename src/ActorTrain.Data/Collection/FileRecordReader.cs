namespace ActorTrain.Data.Collection;

/// <summary>
/// Reads records of source files from any (file, record) position, keeping the file it stopped in open: a shard reads
/// a file a chunk at a time, and reading each chunk from the file's start (decompressing and parsing every record
/// before it just to skip it) made a file of n records cost O(n²/chunk). Only a position behind the last one read, or
/// another file, opens the file again and skips to it: what a restarted shard does once.
/// </summary>
public sealed class FileRecordReader(DocumentReader reader) : IDisposable
{
    private string? path;
    private IEnumerator<ReadItem>? items;
    private ReadItem? last; // the last record read from `items`; every record before it has been read
    private bool ended;

    /// <summary>The first record of <paramref name="file"/> whose index is at least <paramref name="from"/>; null
    /// when the file has no more. Asking again for the same position gives the same record.</summary>
    public ReadItem? At(string file, long from)
    {
        if (file != path || last is { } seen && seen.Index > from) Open(file);
        if (last is { } current && current.Index >= from) return current;
        try
        {
            while (!ended)
            {
                if (!items!.MoveNext())
                {
                    ended = true;
                    break;
                }
                last = items.Current;
                if (last.Value.Index >= from) return last;
            }
        }
        catch
        {
            Close(); // the enumerator is spent: the next question opens the file again
            throw;
        }
        return null;
    }

    public void Dispose() => Close();

    private void Open(string file)
    {
        Close();
        (path, items) = (file, reader.Read(file).GetEnumerator());
    }

    private void Close()
    {
        items?.Dispose();
        (path, items, last, ended) = (null, null, null, false);
    }
}
