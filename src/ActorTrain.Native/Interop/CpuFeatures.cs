namespace ActorTrain.Native.Interop;

/// <summary>The AT_CPU_* bits of at_cpu_features: present on the CPU and enabled by the OS.</summary>
[Flags]
public enum CpuFeatures : uint
{
    None = 0,
    Avx2 = 1u << 0,
    Fma = 1u << 1,
    Avx512F = 1u << 2,
    Avx512BW = 1u << 3,
    Avx512VL = 1u << 4,
    Avx512DQ = 1u << 5,
    Avx512Bf16 = 1u << 6,
    AmxTile = 1u << 7,
    AmxBf16 = 1u << 8,
}
