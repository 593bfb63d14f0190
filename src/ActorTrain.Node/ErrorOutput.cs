namespace ActorTrain.Node;

/// <summary>Standard error for commands: failures as plain lines, never wrapped to the terminal
/// width, so scripts and logs can match them (the report itself goes to the console).</summary>
public sealed class ErrorOutput(TextWriter writer)
{
    public void Line(string command, string message) => writer.WriteLine($"actortrain {command}: {message}");
}
