namespace ActorTrain.Data.Collection;

/// <summary>
/// Lines of a byte stream, each at most a given size: a longer line is reported (with its length)
/// and skipped without ever being held in memory, so a 200 MB single-line file costs one buffer.
/// </summary>
public sealed class BoundedLineReader(Stream stream, int maxLineBytes)
{
    public readonly record struct Line(byte[]? Bytes, long Length)
    {
        public bool TooLong => Bytes is null;
    }

    public IEnumerable<Line> ReadLines()
    {
        var buffer = new byte[1 << 16];
        var current = new MemoryStream();
        long length = 0;
        bool tooLong = false, any = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            for (int i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                Append(buffer, start, i - start);
                yield return Finish();
                start = i + 1;
            }
            Append(buffer, start, read - start);
        }
        if (any) yield return Finish();

        void Append(byte[] bytes, int offset, int count)
        {
            if (count == 0) return;
            any = true;
            length += count;
            if (length > maxLineBytes) tooLong = true;
            if (!tooLong) current.Write(bytes, offset, count);
        }

        Line Finish()
        {
            var line = new Line(tooLong ? null : TrimCarriageReturn(current.ToArray()), length);
            current.SetLength(0);
            length = 0;
            tooLong = false;
            any = false;
            return line;
        }
    }

    private static byte[] TrimCarriageReturn(byte[] bytes) =>
        bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;
}
