using System.Reflection;
using System.Runtime.Intrinsics.X86;
using ActorTrain.Native.Interop;
using Xunit;

namespace ActorTrain.Native.Tests;

public sealed class NativeCapabilitiesTests
{
    [Fact]
    public void Library_version_is_the_version_of_this_checkout()
    {
        string assemblyVersion = typeof(ActorTrainNative).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(assemblyVersion, ActorTrainNative.Version);
        Assert.Equal(4, ActorTrainNative.AbiVersion);
    }

    [Fact]
    public void Library_is_loaded_from_the_build_output()
    {
        Assert.True(File.Exists(ActorTrainNative.LibraryPath), ActorTrainNative.LibraryPath);
        Assert.Equal("libactortrain_native.so", Path.GetFileName(ActorTrainNative.LibraryPath));
    }

    [Fact]
    public void Cpu_features_agree_with_the_runtimes_own_detection()
    {
        // .NET's JIT reads CPUID and XCR0 itself: an independent view of the same machine.
        var features = ActorTrainNative.CpuFeatures;
        Assert.Equal(Avx2.IsSupported, features.HasFlag(CpuFeatures.Avx2));
        Assert.Equal(Fma.IsSupported, features.HasFlag(CpuFeatures.Fma));
        Assert.Equal(Avx512F.IsSupported, features.HasFlag(CpuFeatures.Avx512F));
        Assert.Equal(Avx512BW.IsSupported, features.HasFlag(CpuFeatures.Avx512BW));
        Assert.Equal(Avx512DQ.IsSupported, features.HasFlag(CpuFeatures.Avx512DQ));
    }

    [Fact]
    public void Cpu_isa_is_the_best_level_the_features_allow()
    {
        var f = ActorTrainNative.CpuFeatures;
        bool avx2 = f.HasFlag(CpuFeatures.Avx2 | CpuFeatures.Fma);
        bool avx512 = avx2 && f.HasFlag(CpuFeatures.Avx512F | CpuFeatures.Avx512BW | CpuFeatures.Avx512VL | CpuFeatures.Avx512DQ);
        bool amx = avx512 && f.HasFlag(CpuFeatures.AmxTile | CpuFeatures.AmxBf16);
        var expected = amx ? Isa.Amx : avx512 ? Isa.Avx512 : avx2 ? Isa.Avx2 : Isa.Scalar;
        Assert.Equal(expected, ActorTrainNative.CpuIsa);
    }

    [Fact]
    public void Cuda_is_compiled_in_exactly_when_a_cuda_compiler_is_at_hand()
    {
        // The build's ACTORTRAIN_CUDA=AUTO takes a CUDA compiler where CMake finds one: CUDACXX, PATH, or the toolkit's
        // usual place. A machine where one is found but this says false built without it: worth failing for.
        bool nvcc = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CUDACXX")) || (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "nvcc"))) || File.Exists("/usr/local/cuda/bin/nvcc");
        Assert.Equal(nvcc, ActorTrainNative.CudaCompiled);
    }
}

[Collection(IsaLimitCollection.Name)]
public sealed class IsaLimitTests : IDisposable
{
    public void Dispose() => ActorTrainNative.LimitIsa(Isa.Amx);

    [Fact]
    public void Limit_caps_the_active_isa_and_lifting_it_restores_the_cpus_best()
    {
        ActorTrainNative.LimitIsa(Isa.Scalar);
        Assert.Equal(Isa.Scalar, ActorTrainNative.ActiveIsa);
        ActorTrainNative.LimitIsa(Isa.Amx);
        Assert.Equal(ActorTrainNative.CpuIsa, ActorTrainNative.ActiveIsa);
    }

    [Fact]
    public void Out_of_range_limit_becomes_an_argument_exception_with_the_native_message()
    {
        var error = Assert.Throws<NativeArgumentException>(() => ActorTrainNative.LimitIsa((Isa)9));
        Assert.Contains("limit 9 is not an ISA level", error.Message);
        Assert.Equal(NativeStatus.InvalidArgument, error.Status);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IsaLimitCollection
{
    // The ISA limit is process-wide; tests that change it must not overlap with each other.
    public const string Name = "process-wide ISA limit";
}

public sealed class NativeErrorMappingTests
{
    [Theory]
    [InlineData("scalar", Isa.Scalar)]
    [InlineData("AVX2", Isa.Avx2)]
    [InlineData("avx512", Isa.Avx512)]
    [InlineData("amx", Isa.Amx)]
    public void Isa_names_parse_through_the_native_parser(string name, Isa expected)
    {
        Assert.Equal(expected, ActorTrainNative.ParseIsa(name));
        Assert.Equal(name.ToLowerInvariant(), ActorTrainNative.NameOf(expected));
    }

    [Fact]
    public void Unknown_isa_name_throws_with_the_name_in_the_native_message()
    {
        var error = Assert.Throws<NativeArgumentException>(() => ActorTrainNative.ParseIsa("sse9"));
        Assert.Contains("unknown ISA 'sse9'", error.Message);
    }

    [Fact]
    public async Task Each_thread_sees_its_own_native_error()
    {
        // Two threads fail at once with different names; each exception must carry its own.
        using var bothFailing = new Barrier(2);
        string Fail(string name)
        {
            bothFailing.SignalAndWait();
            try { ActorTrainNative.ParseIsa(name); return "no error"; }
            catch (NativeArgumentException e) { return e.Message; }
        }
        var first = Task.Factory.StartNew(() => Fail("first-thread"), TaskCreationOptions.LongRunning);
        var second = Task.Factory.StartNew(() => Fail("second-thread"), TaskCreationOptions.LongRunning);
        Assert.Contains("'first-thread'", await first);
        Assert.Contains("'second-thread'", await second);
    }
}

public sealed class ParallelBackendTests
{
    [Fact]
    public void Kernels_borrow_the_openmp_team_libtorch_brought_into_the_process()
    {
        _ = TorchSharp.torch.get_num_threads(); // libtorch (and its libgomp) loaded first
        if (Environment.GetEnvironmentVariable("ACTORTRAIN_THREADS") == "own")
            Assert.Equal("own threads", ActorTrainNative.ParallelBackend);
        else
            Assert.Contains("libgomp", ActorTrainNative.ParallelBackend);
    }
}
