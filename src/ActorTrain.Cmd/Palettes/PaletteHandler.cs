namespace ActorTrain.Cmd.Palettes;

/// <summary>Where a running command writes: text (or JSON, when asked for) streamed to the client as it comes.</summary>
public interface ICommandOutput
{
    Task WriteAsync(string text);
}

/// <summary>A palette and what runs its commands in a node. Register more with the command host to extend `pbm`.</summary>
public abstract class PaletteHandler
{
    public abstract PaletteDefinition Definition { get; }

    /// <summary>Runs a parsed command of this palette. A "tail" command streams until <paramref name="cancellationToken"/> fires (the client's Ctrl+C).</summary>
    /// <exception cref="CommandFailedException">The command could not do what was asked; the message says why.</exception>
    public abstract Task ExecuteAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken);
}

/// <summary>A command that ran and failed (a node that is not a member, a run that does not exist); the client exits non-zero with the message.</summary>
public sealed class CommandFailedException(string message) : Exception(message);
