// Kernel launchers, one instantiation per element type (forward_bf16.cu, forward_f16.cu, ...), so
// that nvcc builds the type variants in parallel. Each returns the launch's CUDA error.
#pragma once

#include "cuda/attention_args.cuh"

#include <cuda_runtime.h>

namespace actortrain::cuda {

template <typename T>
cudaError_t launch_forward(const AttentionArgs& args, int head_dim, bool causal);

// kernel<<<(batch x heads, ceil(tokens / block_tokens)), threads, shared_bytes>>>(args) on the default
// stream, after raising the kernel's dynamic shared-memory limit: over 48 KB must be asked for, per
// kernel.
template <typename Kernel>
cudaError_t launch_over_tokens(Kernel kernel, const AttentionArgs& args, int tokens, int block_tokens, int threads,
                               int shared_bytes) {
  if (cudaError_t error = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, shared_bytes);
      error != cudaSuccess) {
    return error;
  }
  const dim3 grid(static_cast<unsigned>(args.batch * args.heads),
                  static_cast<unsigned>((tokens + block_tokens - 1) / block_tokens));
  kernel<<<grid, threads, shared_bytes>>>(args);
  return cudaGetLastError();
}

// delta and dq sums, the fused backward, then dq: three kernels on the default stream.
template <typename T>
cudaError_t launch_backward(const AttentionArgs& args, int head_dim, bool causal);

}  // namespace actortrain::cuda
