// launch_forward's body; included by forward_bf16.cu and forward_f16.cu only.
#pragma once

#include "cuda/forward_kernel.cuh"
#include "cuda/forward_wgmma_kernel.cuh"
#include "cuda/launch.cuh"

#include <cstdlib>
#include <cstring>

namespace actortrain::cuda {

// Which forward shape runs: ACTORTRAIN_CUDA_FORWARD=w16b1, w16b2, w32 or w32n32 (mma.sync: rows a
// warp owns; blocks per multiprocessor; n32: 32 keys a tile, not 64), wg (wgmma for both products)
// or wgs (wgmma for q k^T, mma.sync for p v), read at every call so that a benchmark can time each
// in one process. wg and wgs run only on compute capability 9.0; elsewhere the default runs. They
// are correct but, waiting for each product before the softmax, slower than mma.sync so far. The
// default is the fastest measured on the H200 (NOTES.md).
enum class ForwardShape { w16b1, w16b2, w32, w32n32, wg, wgs };

inline bool current_device_is_hopper() {
  int device = 0, major = 0;
  if (cudaGetDevice(&device) != cudaSuccess) return false;
  if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess) return false;
  return major == 9;
}

inline ForwardShape forward_shape(int head_dim, bool causal) {
  if (const char* setting = std::getenv("ACTORTRAIN_CUDA_FORWARD"); setting != nullptr) {
    if (std::strcmp(setting, "w16b1") == 0) return ForwardShape::w16b1;
    if (std::strcmp(setting, "w16b2") == 0) return ForwardShape::w16b2;
    if (std::strcmp(setting, "w32") == 0) return ForwardShape::w32;
    if (std::strcmp(setting, "w32n32") == 0) return ForwardShape::w32n32;
    const bool hopper = current_device_is_hopper();
    if (std::strcmp(setting, "wg") == 0 && hopper) return ForwardShape::wg;
    if (std::strcmp(setting, "wgs") == 0 && hopper) return ForwardShape::wgs;
  }
  // H200, 7136fa8: at head_dim 128 without a mask 32-key tiles won (263-285 TFLOP/s against
  // 259-264); with a causal mask their extra tiles cost more than the registers they save.
  return head_dim == 128 && !causal ? ForwardShape::w32n32 : ForwardShape::w32;
}

template <typename T, int D, bool CAUSAL, int WARP_ROWS, int BLOCK_KV, int BLOCKS_PER_SM>
cudaError_t launch_forward_for(const AttentionArgs& args) {
  using Tiling = ForwardTiling<WARP_ROWS, BLOCK_KV>;
  return launch_over_tokens(attention_forward_kernel<T, D, CAUSAL, WARP_ROWS, BLOCK_KV, BLOCKS_PER_SM>, args, args.q_len,
                            Tiling::block_q, Tiling::threads, Tiling::template shared_bytes<T, D>());
}

template <typename T, int D, bool CAUSAL, bool PV_WGMMA>
cudaError_t launch_forward_wgmma(const AttentionArgs& args) {
  using Tiling = WgmmaForwardTiling;
  return launch_over_tokens(attention_forward_wgmma_kernel<T, D, CAUSAL, PV_WGMMA>, args, args.q_len, Tiling::block_q,
                            Tiling::threads, Tiling::shared_bytes<T, D>());
}

template <typename T, int D, bool CAUSAL>
cudaError_t launch_forward_for(const AttentionArgs& args, ForwardShape shape) {
  switch (shape) {
    case ForwardShape::w16b1: return launch_forward_for<T, D, CAUSAL, 16, 64, 1>(args);
    case ForwardShape::w16b2: return launch_forward_for<T, D, CAUSAL, 16, 64, 2>(args);
    case ForwardShape::w32n32: return launch_forward_for<T, D, CAUSAL, 32, 32, 2>(args);
    case ForwardShape::wg: return launch_forward_wgmma<T, D, CAUSAL, true>(args);
    case ForwardShape::wgs: return launch_forward_wgmma<T, D, CAUSAL, false>(args);
    default: return launch_forward_for<T, D, CAUSAL, 32, 64, 2>(args);
  }
}

template <typename T>
cudaError_t launch_forward(const AttentionArgs& args, int head_dim, bool causal) {
  const ForwardShape shape = forward_shape(head_dim, causal);
  if (head_dim == 64) {
    return causal ? launch_forward_for<T, 64, true>(args, shape) : launch_forward_for<T, 64, false>(args, shape);
  }
  return causal ? launch_forward_for<T, 128, true>(args, shape) : launch_forward_for<T, 128, false>(args, shape);
}

}  // namespace actortrain::cuda
