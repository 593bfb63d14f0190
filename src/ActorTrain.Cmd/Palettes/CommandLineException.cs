namespace ActorTrain.Cmd.Palettes;

/// <summary>A command line that does not fit the palettes; the message names the problem and shows the usage.</summary>
public sealed class CommandLineException(string message) : Exception(message);
