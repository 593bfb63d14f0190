using System.Diagnostics;
using ActorTrain.Data.Collection;

namespace ActorTrain.Benchmarks.Cleaning;

/// <summary>
/// Reading one large JSONL file a chunk of records at a time, as a data shard does: with the file kept open between
/// chunks (<see cref="FileRecordReader"/>) against opening it again for every chunk and skipping to the cursor, which
/// is what shards did before and what a restarted shard still does once.
/// </summary>
public static class ChunkedReading
{
    public const int ChunkRecords = 1000;

    /// <summary>Median seconds to read the file through, kept open and reopened per chunk.</summary>
    public static (double KeptOpen, double Reopened) MedianSeconds(string file, ReaderSettings readers, int rounds)
    {
        var (keptOpen, reopened) = (new List<double>(), new List<double>());
        for (int round = 0; round < rounds; round++)
        {
            keptOpen.Add(Seconds(file, readers, reopenEachChunk: false));
            reopened.Add(Seconds(file, readers, reopenEachChunk: true));
        }
        return (Measure.Median(keptOpen), Measure.Median(reopened));
    }

    private static double Seconds(string file, ReaderSettings readers, bool reopenEachChunk)
    {
        var clock = Stopwatch.StartNew();
        var reader = new FileRecordReader(new DocumentReader(readers));
        try
        {
            long next = 0;
            for (bool more = true; more;)
            {
                if (reopenEachChunk)
                {
                    reader.Dispose();
                    reader = new FileRecordReader(new DocumentReader(readers));
                }
                for (int taken = 0; taken < ChunkRecords; taken++)
                {
                    if (reader.At(file, next) is not { } item)
                    {
                        more = false;
                        break;
                    }
                    next = item.Index + 1;
                }
            }
        }
        finally
        {
            reader.Dispose();
        }
        return clock.Elapsed.TotalSeconds;
    }
}
