// launch_forward's body; included by forward_bf16.cu and forward_f16.cu only.
#pragma once

#include "cuda/forward_kernel.cuh"
#include "cuda/launch.cuh"

#include <cstdlib>

namespace actortrain::cuda {

// Which forward variant runs: ACTORTRAIN_CUDA_FORWARD_BLOCKS=1 or 2 (read at every call, so that
// a benchmark can time both in one process); by default 2 at head_dim 64, where 128 registers
// suffice, and 1 at 128, where they do not.
inline int forward_blocks_per_sm(int head_dim) {
  const char* setting = std::getenv("ACTORTRAIN_CUDA_FORWARD_BLOCKS");
  if (setting != nullptr && (setting[0] == '1' || setting[0] == '2') && setting[1] == '\0') return setting[0] - '0';
  return head_dim == 64 ? 2 : 1;
}

template <typename T, int D, bool CAUSAL, int BLOCKS_PER_SM>
cudaError_t launch_forward_for(const AttentionArgs& args) {
  constexpr int bytes = ForwardTiling::shared_bytes<T, D>();
  auto kernel = attention_forward_kernel<T, D, CAUSAL, BLOCKS_PER_SM>;
  // Over 48 KB of dynamic shared memory must be asked for, per kernel.
  if (cudaError_t error = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
      error != cudaSuccess) {
    return error;
  }
  const dim3 grid(static_cast<unsigned>(args.batch * args.heads),
                  static_cast<unsigned>((args.q_len + ForwardTiling::block_q - 1) / ForwardTiling::block_q));
  kernel<<<grid, ForwardTiling::threads, bytes>>>(args);
  return cudaGetLastError();
}

template <typename T, int D>
cudaError_t launch_forward_for(const AttentionArgs& args, bool causal, int blocks_per_sm) {
  if (blocks_per_sm == 1) {
    return causal ? launch_forward_for<T, D, true, 1>(args) : launch_forward_for<T, D, false, 1>(args);
  }
  return causal ? launch_forward_for<T, D, true, 2>(args) : launch_forward_for<T, D, false, 2>(args);
}

template <typename T>
cudaError_t launch_forward(const AttentionArgs& args, int head_dim, bool causal) {
  const int blocks_per_sm = forward_blocks_per_sm(head_dim);
  return head_dim == 64 ? launch_forward_for<T, 64>(args, causal, blocks_per_sm)
                        : launch_forward_for<T, 128>(args, causal, blocks_per_sm);
}

}  // namespace actortrain::cuda
