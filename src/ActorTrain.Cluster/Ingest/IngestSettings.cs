using ActorTrain.Cluster.Configuration;
using Akka.Configuration;

namespace ActorTrain.Cluster.Ingest;

/// <summary>actortrain.data.ingest, read once.</summary>
public sealed record IngestSettings(int ChunkRecords, int Shards, int DedupBuckets, TimeSpan AskTimeout, TimeSpan PlanAnswerWithin)
{
    public static IngestSettings From(Config config)
    {
        var section = config.GetConfig("actortrain.data.ingest") ?? throw new ConfigurationException("actortrain.data.ingest is missing");
        int Positive(string key)
        {
            int value = section.GetInt(key);
            return value > 0 ? value : throw new ConfigurationException($"actortrain.data.ingest.{key} must be positive (got {value})");
        }
        return new IngestSettings(Positive("chunk-records"), Positive("shards"), Positive("dedup-buckets"), Durations.Positive(section, "actortrain.data.ingest", "ask-timeout"),
            Durations.NotNegative(section, "actortrain.data.ingest", "plan-answer-within"));
    }
}
