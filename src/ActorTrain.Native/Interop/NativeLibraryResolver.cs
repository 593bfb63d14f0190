using System.Reflection;
using System.Runtime.InteropServices;

namespace ActorTrain.Native.Interop;

/// <summary>
/// Decides which libactortrain_native.so this process loads. ACTORTRAIN_NATIVE_LIBRARY wins (say,
/// a CUDA build made elsewhere); otherwise the copy the build put next to the application, then the
/// one next to this assembly. Remembers the path it loaded so `actortrain info` can show it.
/// </summary>
internal static class NativeLibraryResolver
{
    public const string PathVariable = "ACTORTRAIN_NATIVE_LIBRARY";
    private const string FileName = "libactortrain_native.so";
    private static int installed;

    public static string? LoadedPath { get; private set; }

    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeMethods.LibraryName) return 0;

        string? requested = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(requested))
        {
            if (!File.Exists(requested))
                throw new DllNotFoundException($"{PathVariable}={requested}: no such file");
            return Load(requested);
        }

        foreach (string directory in CandidateDirectories(assembly))
        {
            string candidate = Path.Combine(directory, FileName);
            if (File.Exists(candidate)) return Load(candidate);
        }
        throw new DllNotFoundException(
            $"{FileName} was not found next to the application ({AppContext.BaseDirectory}) or " +
            $"{assembly.GetName().Name}. Build the solution with `dotnet build` (it builds native/ with CMake), " +
            $"or point {PathVariable} at a built library.");
    }

    private static IEnumerable<string> CandidateDirectories(Assembly assembly)
    {
        yield return AppContext.BaseDirectory;
        string? assemblyDirectory = Path.GetDirectoryName(assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDirectory)) yield return assemblyDirectory;
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
    }

    private static nint Load(string path)
    {
        nint handle = NativeLibrary.Load(path);
        LoadedPath = Path.GetFullPath(path);
        return handle;
    }
}
