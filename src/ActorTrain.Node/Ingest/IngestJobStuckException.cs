namespace ActorTrain.Node.Ingest;

/// <summary>An ingest job that cannot go on by itself, and why (its journal keeps it: fixed, the job resumes).</summary>
public sealed class IngestJobStuckException(string job, string problem)
    : Exception($"ingest job {job} cannot go on: {problem}");
