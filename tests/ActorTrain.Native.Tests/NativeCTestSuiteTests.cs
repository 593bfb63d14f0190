using ActorTrain.Processes;
using System.Reflection;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Native.Tests;

/// <summary>
/// The standalone native build (cmake -S . -B build, ctest) must keep working beside the one
/// `dotnet build` drives, so `dotnet test` runs it too: configure with tests on, build, run CTest.
/// </summary>
public sealed class NativeCTestSuiteTests
{
    private static string RepoRoot => ActorTrain.Testing.RepositoryPaths.Root;

    [Fact]
    public async Task Standalone_cmake_build_and_its_ctest_suite_pass()
    {
        string build = Path.Combine(RepoRoot, "artifacts", "native-ctest");
        await Run("cmake", "-S", RepoRoot, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DACTORTRAIN_BUILD_TESTS=ON");
        await Run("cmake", "--build", build, "--parallel", Environment.ProcessorCount.ToString());
        string ctest = await Run("ctest", "--test-dir", build, "--output-on-failure");
        Assert.Contains("100% tests passed", ctest);
    }

    private static Task<string> Run(string program, params string[] arguments) =>
        ExternalCommand.RunAsync(program, arguments, TimeSpan.FromMinutes(5));
}
