using ActorTrain.Processes;
using System.Reflection;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Native.Tests;

/// <summary>
/// `dotnet build` on a machine without CMake or without a C++ compiler must stop with a sentence
/// saying what to install. Runs only the native build target with a PATH holding nothing but
/// `dotnet` and `sh` (MSBuild's Exec runs commands through it), and `cmake` for the second case.
/// </summary>
public sealed class NativeBuildPrerequisitesTests : IDisposable
{
    private readonly TemporaryDirectory bin = new("actortrain-path-");

    public void Dispose() => bin.Dispose();

    private static string RepoRoot => ActorTrain.Testing.RepositoryPaths.Root;

    [Fact]
    public async Task Build_without_cmake_says_to_install_cmake()
    {
        ExposeBasics();
        var (exitCode, output) = await BuildNativeTarget();
        Assert.NotEqual(0, exitCode);
        Assert.Contains("cmake is not on PATH. Install it (Debian/Ubuntu: apt-get install cmake", output);
    }

    [Fact]
    public async Task Build_without_a_cxx_compiler_says_to_install_one()
    {
        ExposeBasics();
        Expose("cmake", Which("cmake"));
        var (exitCode, output) = await BuildNativeTarget();
        Assert.NotEqual(0, exitCode);
        Assert.Contains("needs a C++17 compiler, and none is on PATH", output);
    }

    private void ExposeBasics()
    {
        Expose("dotnet", Environment.ProcessPath!);
        Expose("sh", "/bin/sh");
    }

    private void Expose(string name, string target) => File.CreateSymbolicLink(bin.Combine(name), target);

    private static string Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, program)).First(File.Exists);

    private Task<ExternalCommand.Outcome> BuildNativeTarget() => ExternalCommand.RunForOutcomeAsync(
        bin.Combine("dotnet"),
        [
            "msbuild", Path.Combine(RepoRoot, "src", "ActorTrain.Native", "ActorTrain.Native.csproj"),
            "-t:BuildActorTrainNative", $"-p:NativeBuildDir={bin.Combine("native")}/", "-nologo", "-nodeReuse:false",
        ],
        TimeSpan.FromMinutes(3),
        environment =>
        {
            environment["PATH"] = bin.Path;
            environment.Remove("CXX");
            // The test host's own MSBuild variables would point the child at this run's build instead of its own.
            foreach (string key in environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToArray())
                environment.Remove(key);
        });
}
