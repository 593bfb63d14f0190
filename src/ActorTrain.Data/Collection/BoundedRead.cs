namespace ActorTrain.Data.Collection;

internal static class BoundedRead
{
    /// <summary>The whole (decompressed) file if it has at most <paramref name="maxBytes"/>; otherwise
    /// null, with <paramref name="size"/> the bytes seen before giving up (at least maxBytes + 1).</summary>
    public static byte[]? All(string path, int maxBytes, out long size)
    {
        using var stream = CompressedFile.Open(path);
        return All(stream, maxBytes, out size);
    }

    public static byte[]? All(Stream stream, long maxBytes, out long size)
    {
        var content = new MemoryStream();
        var buffer = new byte[1 << 16];
        size = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            size += read;
            if (size > maxBytes) return null;
            content.Write(buffer, 0, read);
        }
        return content.ToArray();
    }
}
