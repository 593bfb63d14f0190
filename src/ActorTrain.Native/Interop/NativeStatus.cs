namespace ActorTrain.Native.Interop;

/// <summary>at_status of actortrain.h: what every fallible native call returns.</summary>
public enum NativeStatus
{
    Ok = 0,
    InvalidArgument = 1,
    Unsupported = 2,
    OutOfMemory = 3,
    Cuda = 4,
    Internal = 5,
}
