namespace ActorTrain.Native.Interop;

/// <summary>at_isa: instruction-set levels the CPU kernels dispatch to, ordered by capability.</summary>
public enum Isa
{
    Scalar = 0,
    Avx2 = 1,
    Avx512 = 2,
    Amx = 3,
}
