using System.Runtime.InteropServices;

namespace ActorTrain.Native.Interop;

/// <summary>at_tensor4: a (batch, head, token, dim) tensor through element strides.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Tensor4
{
    public nint Data;
    public long StrideBatch;
    public long StrideHead;
    public long StrideToken;
    public long StrideDim;
}

/// <summary>at_attention_params, field for field (the layout is checked against the library's
/// sizeof at first use).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct AttentionParams
{
    public int Dtype;
    public int Device;
    public long Batch;
    public long Heads;
    public long QueryLength;
    public long KeyLength;
    public long HeadDim;
    public float Scale;
    public int Causal;
    public long CausalOffset;
    public nint KeyLengths;
    public int Threads;
    public Tensor4 Q;
    public Tensor4 K;
    public Tensor4 V;
    public Tensor4 Out;
    public nint Lse;
    public long LseStrideBatch;
    public long LseStrideHead;
    public long LseStrideToken;
    public Tensor4 DOut;
    public Tensor4 DQ;
    public Tensor4 DK;
    public Tensor4 DV;
}
