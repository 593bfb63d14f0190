using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Collection;

/// <summary>
/// One record of a source file: a document, or the reason the record could not become one (bad
/// JSON, invalid UTF-8, too large...). <paramref name="Index"/> counts records within the file, so a
/// shard that crashed can resume by skipping the records it already handled.
/// </summary>
public readonly record struct ReadItem(long Index, Document? Document, string? Problem)
{
    public static ReadItem Of(long index, Document document) => new(index, document, null);

    public static ReadItem Bad(long index, string problem) => new(index, null, problem);
}
