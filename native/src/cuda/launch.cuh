// Kernel launchers, one instantiation per element type (forward_bf16.cu, forward_f16.cu, ...), so
// that nvcc builds the type variants in parallel. Each returns the launch's CUDA error.
#pragma once

#include "cuda/attention_args.cuh"

#include <cuda_runtime.h>

namespace actortrain::cuda {

template <typename T>
cudaError_t launch_forward(const AttentionArgs& args, int head_dim, bool causal);

// delta and dq sums, the fused backward, then dq: three kernels on the default stream.
template <typename T>
cudaError_t launch_backward(const AttentionArgs& args, int head_dim, bool causal);

}  // namespace actortrain::cuda
