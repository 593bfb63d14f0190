using System.Runtime.InteropServices;

namespace ActorTrain.Native.Interop;

/// <summary>Raw declarations of native/include/actortrain/actortrain.h, one line per C function.
/// Only <see cref="ActorTrainNative"/> calls these: it installs the library resolver first.</summary>
internal static partial class NativeMethods
{
    public const string LibraryName = "actortrain_native";

    /// <summary>ACTORTRAIN_ABI_VERSION this assembly was written against.</summary>
    public const int ExpectedAbiVersion = 4;

    [LibraryImport(LibraryName)]
    public static partial nint at_version();

    [LibraryImport(LibraryName)]
    public static partial int at_abi_version();

    [LibraryImport(LibraryName)]
    public static partial uint at_cpu_features();

    [LibraryImport(LibraryName)]
    public static partial Isa at_cpu_isa();

    [LibraryImport(LibraryName)]
    public static partial Isa at_active_isa();

    [LibraryImport(LibraryName)]
    public static partial NativeStatus at_set_isa_limit(Isa limit);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial NativeStatus at_parse_isa(string name, out Isa isa);

    [LibraryImport(LibraryName)]
    public static partial nint at_isa_name(Isa isa);

    [LibraryImport(LibraryName)]
    public static partial int at_cuda_compiled();

    [LibraryImport(LibraryName)]
    public static partial nint at_parallel_backend();

    [LibraryImport(LibraryName)]
    public static partial long at_attention_params_size();

    [LibraryImport(LibraryName)]
    public static partial long at_attention_scratch_buffers();

    [LibraryImport(LibraryName)]
    public static partial NativeStatus at_attention_forward(in AttentionParams parameters);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus at_attention_backward(in AttentionParams parameters);

    [LibraryImport(LibraryName)]
    public static partial nint at_last_error();

    [LibraryImport(LibraryName)]
    public static partial void at_clear_error();

    /// <summary>Turns a failed status into the exception carrying the native message; the message
    /// is read on the same thread right after the call, as the thread-local convention requires.</summary>
    public static void ThrowIfFailed(NativeStatus status)
    {
        if (status == NativeStatus.Ok) return;
        string message = Marshal.PtrToStringUTF8(at_last_error()) ?? "";
        if (message.Length == 0) message = $"native call failed with {status} and no message";
        throw status == NativeStatus.InvalidArgument
            ? new NativeArgumentException(message)
            : new NativeException(status, message);
    }

    public static string Utf8(nint staticString) => Marshal.PtrToStringUTF8(staticString) ?? "";
}
