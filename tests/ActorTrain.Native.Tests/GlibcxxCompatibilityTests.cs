using System.Reflection;
using ActorTrain.Build;
using Xunit;

namespace ActorTrain.Native.Tests;

/// <summary>The build fix of eng/GlibcxxCompatibility.cs, checked on the real TorchSharp library.</summary>
public sealed class GlibcxxCompatibilityTests
{
    private const string Gcc13Version = "GLIBCXX_3.4.32";

    private static string CachedLibTorchSharp => Path.Combine(
        typeof(GlibcxxCompatibilityTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!,
        "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static string OutputLibTorchSharp =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static bool HostHasGcc13Runtime => HostLibstdcxx.Defines(HostLibstdcxx.Find()!, Gcc13Version);

    [Fact]
    public void TorchSharp_as_shipped_needs_the_gcc13_libstdcxx_version_strictly()
    {
        var needs = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(CachedLibTorchSharp), CachedLibTorchSharp);
        var need = Assert.Single(needs, n => n.Version == Gcc13Version);
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak, "the NuGet cache must never be modified");
    }

    [Fact]
    public void Output_copy_is_weakened_exactly_when_the_host_lacks_the_version()
    {
        byte[] original = File.ReadAllBytes(CachedLibTorchSharp);
        byte[] output = File.ReadAllBytes(OutputLibTorchSharp);
        var need = ElfVersionNeeds.ReadNeeds(output, OutputLibTorchSharp).Single(n => n.Version == Gcc13Version);
        Assert.Equal(!HostHasGcc13Runtime, need.IsWeak);

        // Nothing but that one flag differs from the shipped library.
        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != output[i]).ToArray();
        Assert.Equal(original.Length, output.Length);
        Assert.True(differing.All(i => i == need.FlagsOffset), $"bytes differ at {string.Join(',', differing)}");
    }

    [Fact]
    public void Weaken_flips_only_the_named_need_and_is_idempotent()
    {
        byte[] elf = File.ReadAllBytes(CachedLibTorchSharp);
        var before = ElfVersionNeeds.ReadNeeds(elf, "copy");

        Assert.Equal(1, ElfVersionNeeds.Weaken(elf, "copy", Gcc13Version));
        Assert.Equal(0, ElfVersionNeeds.Weaken(elf, "copy", Gcc13Version));

        var after = ElfVersionNeeds.ReadNeeds(elf, "copy");
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            bool target = before[i].Version == Gcc13Version;
            Assert.Equal(target ? (ushort)(before[i].Flags | ElfVersionNeeds.VerFlagWeak) : before[i].Flags, after[i].Flags);
        }
    }

    [Fact]
    public void Host_libstdcxx_definitions_are_read_from_its_version_section()
    {
        string host = HostLibstdcxx.Find()!;
        var definitions = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(host), host);
        Assert.Contains("GLIBCXX_3.4", definitions);
        Assert.Contains("CXXABI_1.3", definitions);
    }

    [Fact]
    public void Bytes_that_are_not_a_64_bit_elf_file_are_rejected_with_the_file_named()
    {
        var notElf = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds("hello world"u8.ToArray(), "junk.so"));
        Assert.Equal("junk.so: not an ELF file", notElf.Message);

        byte[] truncated = File.ReadAllBytes(CachedLibTorchSharp)[..4096];
        var cut = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds(truncated, "cut.so"));
        Assert.StartsWith("cut.so: ", cut.Message);
    }
}
