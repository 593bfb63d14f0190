using System.Collections.Immutable;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Collection;

/// <summary>One document per HTML file: its main content as text, the title as metadata.</summary>
public sealed class HtmlFileReader(ReaderSettings settings)
{
    public IEnumerable<ReadItem> Read(string path)
    {
        byte[]? bytes = BoundedRead.All(path, settings.MaxRecordBytes, out long size);
        if (bytes is null)
        {
            yield return ReadItem.Bad(0, $"page is {size} bytes, over the {settings.MaxRecordBytes}-byte record limit");
            yield break;
        }
        string? html = Utf8Decoder.Decode(bytes, settings.InvalidUtf8, out string? problem);
        if (html is null)
        {
            yield return ReadItem.Bad(0, problem!);
            yield break;
        }
        var (text, title) = HtmlText.Extract(html, new Uri(Path.GetFullPath(path)).AbsoluteUri);
        var metadata = ImmutableDictionary<string, string>.Empty.Add("format", "html");
        if (title is not null) metadata = metadata.Add("title", title);
        yield return ReadItem.Of(0, new Document(DocumentIds.For(path, 0), text, path, metadata));
    }
}
