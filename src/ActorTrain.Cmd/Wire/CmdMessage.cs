using System.Text.Json.Serialization;
using ActorTrain.Cmd.Palettes;

namespace ActorTrain.Cmd.Wire;

/// <summary>What client and command host say to each other, one per frame. The client opens with
/// <see cref="Hello"/>; the host answers <see cref="Welcome"/> (with the palettes it offers) or
/// <see cref="Refused"/> and closes. Each <see cref="Execute"/> streams <see cref="Output"/>s and ends
/// with one <see cref="End"/>; <see cref="Cancel"/> stops a command that is still running.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(Hello), "hello")]
[JsonDerivedType(typeof(Welcome), "welcome")]
[JsonDerivedType(typeof(Refused), "refused")]
[JsonDerivedType(typeof(Execute), "execute")]
[JsonDerivedType(typeof(Output), "output")]
[JsonDerivedType(typeof(End), "end")]
[JsonDerivedType(typeof(Cancel), "cancel")]
[JsonDerivedType(typeof(ProtocolError), "error")]
public abstract record CmdMessage;

public sealed record Hello(string? Token, string Client) : CmdMessage;

public sealed record Welcome(string Node, IReadOnlyList<PaletteDefinition> Palettes) : CmdMessage;

public sealed record Refused(string Reason) : CmdMessage;

/// <summary><paramref name="Words"/>: palette, command and arguments, as typed.</summary>
public sealed record Execute(long Id, IReadOnlyList<string> Words) : CmdMessage;

/// <summary><paramref name="Partial"/>: the text goes on in the next Output (a piece of one larger than a frame).</summary>
public sealed record Output(long Id, string Text, bool Partial = false) : CmdMessage;

/// <summary><paramref name="UsageError"/>: the command line does not fit its command (pbm exits 2, not 1).</summary>
public sealed record End(long Id, bool Ok, string? Message, bool UsageError = false) : CmdMessage;

public sealed record Cancel(long Id) : CmdMessage;

/// <summary>The last thing a host says on a connection that sent something it cannot read.</summary>
public sealed record ProtocolError(string Message) : CmdMessage;
