// launch_backward's body; included by backward_bf16.cu and backward_f16.cu only.
#pragma once

#include "cuda/backward_kernel.cuh"
#include "cuda/launch.cuh"

namespace actortrain::cuda {

template <typename T, int D, bool CAUSAL>
cudaError_t launch_backward_for(const AttentionArgs& args) {
  using Tiling = BackwardTiling<D>;
  const int64_t rows = int64_t{args.batch} * args.heads * args.q_len;
  constexpr int row_threads = 256;  // a warp per row
  const unsigned row_blocks = static_cast<unsigned>((rows + row_threads / 32 - 1) / (row_threads / 32));
  attention_backward_prepare_kernel<T, D><<<row_blocks, row_threads>>>(args);
  if (cudaError_t error = cudaGetLastError(); error != cudaSuccess) return error;

  if (cudaError_t error = launch_over_tokens(attention_backward_kernel<T, D, CAUSAL>, args, args.kv_len, Tiling::block_kv,
                                             Tiling::threads, Tiling::template shared_bytes<T>());
      error != cudaSuccess) {
    return error;
  }

  attention_backward_finish_kernel<T, D><<<row_blocks, row_threads>>>(args);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_backward(const AttentionArgs& args, int head_dim, bool causal) {
  if (head_dim == 64) return causal ? launch_backward_for<T, 64, true>(args) : launch_backward_for<T, 64, false>(args);
  return causal ? launch_backward_for<T, 128, true>(args) : launch_backward_for<T, 128, false>(args);
}

}  // namespace actortrain::cuda
