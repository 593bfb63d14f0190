using System.Net;
using Akka.Configuration;

namespace ActorTrain.Cluster.Training;

/// <summary>actortrain.training, read once.</summary>
public sealed record TrainingSettings(IPAddress DataPlaneHost, TimeSpan StepTimeout, TimeSpan PrepareTimeout, TimeSpan CheckpointTimeout, TimeSpan AssembleTimeout,
    TimeSpan FinishedLinger)
{
    /// <summary>Fault injection for tests, never read from configuration: called on a replica just before it applies a
    /// committed step's update (or replays one). What it throws stands for what a failing update throws (libtorch, the optimizer), so
    /// that the path a replica takes when it breaks mid-step is exercised by the real trainer and run actors.</summary>
    internal Action<Protocol.Training.TrainerId, long>? BeforeApplying { get; init; }

    /// <exception cref="ConfigurationException">A missing section, an address that is not an IP address, or a non-positive timeout.</exception>
    public static TrainingSettings From(Config config)
    {
        var section = config.GetConfig("actortrain.training") ?? throw new ConfigurationException("actortrain.training is missing");
        string host = section.GetString("data-plane-host");
        if (!IPAddress.TryParse(host, out var address)) throw new ConfigurationException($"actortrain.training.data-plane-host '{host}' is not an IP address");
        return new TrainingSettings(address, Positive(section, "step-timeout"), Positive(section, "prepare-timeout"), Positive(section, "checkpoint-timeout"),
            Positive(section, "assemble-timeout"), Positive(section, "finished-linger"));
    }

    private static TimeSpan Positive(Config section, string key)
    {
        TimeSpan value;
        try
        {
            value = section.GetTimeSpan(key);
        }
        catch (FormatException)
        {
            throw new ConfigurationException($"actortrain.training.{key} '{section.GetString(key)}' is not a duration (like 30s or 2m); it must be positive");
        }
        if (value <= TimeSpan.Zero) throw new ConfigurationException($"actortrain.training.{key} must be positive (got {value})");
        return value;
    }
}
