namespace ActorTrain.Chaos;

/// <summary>A node process ended before it was up (it could not join, or its configuration was refused).</summary>
public sealed class NodeFailedException(string message) : Exception(message);
