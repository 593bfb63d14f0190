using ActorTrain.Data.Output;

namespace ActorTrain.Data.Dedup;

/// <summary>
/// The dedup keys of a chunk's documents, in document order, saved beside the chunk so finalizing
/// does not compute every MinHash signature a second time: per document, the exact key then one key
/// per band, little-endian. Written through a temporary file and renamed, like the chunk.
/// </summary>
public static class DedupKeysFile
{
    public static void Write(string path, IReadOnlyList<DedupKeys> keys)
    {
        using var file = new AtomicFile(path);
        using (var writer = new BinaryWriter(file.Stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            foreach (var key in keys)
            {
                writer.Write(key.Exact);
                foreach (ulong band in key.Bands) writer.Write(band);
            }
        }
        file.Commit();
    }

    /// <exception cref="InvalidDataException">The file's size does not fit whole documents of <paramref name="bands"/> bands.</exception>
    public static IReadOnlyList<DedupKeys> Read(string path, int bands)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int perDocument = 8 * (1 + bands);
        if (bytes.Length % perDocument != 0)
            throw new InvalidDataException($"{path}: {bytes.Length} bytes is not a whole number of {perDocument}-byte key records");
        var keys = new DedupKeys[bytes.Length / perDocument];
        for (int d = 0; d < keys.Length; d++)
        {
            int at = d * perDocument;
            var bandKeys = new ulong[bands];
            for (int b = 0; b < bands; b++) bandKeys[b] = BitConverter.ToUInt64(bytes, at + 8 * (b + 1));
            keys[d] = new DedupKeys(BitConverter.ToUInt64(bytes, at), bandKeys);
        }
        return keys;
    }
}
