namespace ActorTrain.Native.Interop;

/// <summary>A native call failed; the message is the library's own (at_last_error).</summary>
public class NativeException(NativeStatus status, string message) : Exception(message)
{
    public NativeStatus Status { get; } = status;
}

/// <summary>A native call rejected an argument. An <see cref="ArgumentException"/>, so callers
/// that validate managed arguments catch native rejections the same way.</summary>
public sealed class NativeArgumentException(string message) : ArgumentException(message)
{
    public NativeStatus Status => NativeStatus.InvalidArgument;
}
