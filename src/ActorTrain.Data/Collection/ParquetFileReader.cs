using System.Collections.Immutable;
using ActorTrain.Data.Documents;
using Parquet;

namespace ActorTrain.Data.Collection;

/// <summary>One document per row of the configured string column, a row group at a time (memory is
/// bounded by the writer's row-group size).</summary>
public sealed class ParquetFileReader(ReaderSettings settings)
{
    public IEnumerable<ReadItem> Read(string path)
    {
        using var stream = File.OpenRead(path);
        ParquetReader reader;
        string? problem = null;
        try
        {
            reader = OffContext(() => ParquetReader.CreateAsync(stream));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException || e.GetType().Namespace?.StartsWith("Parquet", StringComparison.Ordinal) == true)
        {
            reader = null!;
            problem = $"not a readable Parquet file: {e.Message}";
        }
        if (problem is not null)
        {
            yield return ReadItem.Bad(0, problem);
            yield break;
        }
        try
        {
            var field = reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == settings.ParquetTextColumn);
            // Parquet.Net 6 reports UTF-8 string columns as ReadOnlyMemory<char> (its zero-copy type).
            if (field is null || (field.ClrType != typeof(string) && field.ClrType != typeof(ReadOnlyMemory<char>)))
            {
                yield return ReadItem.Bad(0, $"no string column '{settings.ParquetTextColumn}' (columns: {string.Join(", ", reader.Schema.GetDataFields().Select(f => $"{f.Name}: {f.ClrType.Name}"))})");
                yield break;
            }
            long index = 0;
            for (int group = 0; group < reader.RowGroupCount; group++)
            {
                var (values, unreadable) = ReadRowGroup(reader, group, field);
                if (unreadable is not null)
                {
                    yield return ReadItem.Bad(index, $"{path}: row group {group} is not readable ({unreadable}); the file's rows from {index} on are lost");
                    yield break;
                }
                foreach (string? value in values)
                {
                    if (value is string text)
                    {
                        var metadata = ImmutableDictionary<string, string>.Empty.Add("format", "parquet");
                        yield return ReadItem.Of(index, new Document(DocumentIds.For(path, index), text, path, metadata));
                    }
                    else yield return ReadItem.Bad(index, $"row {index}: '{settings.ParquetTextColumn}' is null");
                    index++;
                }
            }
        }
        finally
        {
            OffContext(async () =>
            {
                await reader.DisposeAsync();
                return true;
            });
        }
    }

    // The values of one row group's text column, or why they cannot be read. Pages damaged behind an intact footer fail
    // here, in whatever way the decoder trips on them (thrift, decompression, an index out of range): the file's
    // remaining rows become one bad record rather than an exception that stops the shard.
    private static (string?[] Values, string? Problem) ReadRowGroup(ParquetReader reader, int group, Parquet.Schema.DataField field)
    {
        try
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            var values = new string?[rowGroup.RowCount];
            OffContext(async () =>
            {
                await rowGroup.ReadAsync(field, values.AsMemory(), null);
                return true;
            });
            return (values, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return ([], $"{e.GetType().Name}: {e.Message}");
        }
    }

    // Parquet.Net is async only. Blocking on it where a scheduler waits for this very thread (an actor's
    // ReceiveAsync runs continuations on the actor's own scheduler) would deadlock: run it on the pool.
    private static T OffContext<T>(Func<Task<T>> work) => Task.Run(work).GetAwaiter().GetResult();
}
