// Forward fused attention on Hopper's warpgroup matrix product (wgmma, sm_90a): the algorithm and
// the row layout of the mma.sync kernel with 8 warps of 16 rows (forward_kernel.cuh), but each
// warpgroup of 4 warps computes q k^T for its 64 rows as one asynchronous product from shared
// memory, and (PV_WGMMA) p v too, with p from registers. Tiles live in shared memory as 8x8 core
// matrices (no padding, no swizzle), the layout wgmma's descriptors address.
//
// Other architectures compile an empty body: the launcher picks this kernel only on a device of
// compute capability 9.0.
#pragma once

#include "cuda/attention_args.cuh"
#include "cuda/forward_rows.cuh"
#include "cuda/wgmma_ops.cuh"

namespace actortrain::cuda {

struct WgmmaForwardTiling {
  static constexpr int block_q = 128;
  static constexpr int block_kv = 64;
  static constexpr int warps = 8;  // two warpgroups of 64 rows
  static constexpr int threads = warps * 32;

  template <typename T, int D>
  static constexpr int shared_bytes() {
    return (block_q + 4 * block_kv) * D * static_cast<int>(sizeof(T));
  }
};

// Bytes of one 8x8 core matrix of 2-byte elements, and of the D / 8 of them that hold 8 rows.
constexpr uint32_t core_matrix_bytes = 128;
template <int D>
constexpr uint32_t row_group_bytes = (D / 8) * core_matrix_bytes;

// Starts copying ROWS token rows into a core-matrix tile: element (r, c) at byte
// ((r / 8) * (D / 8) + c / 8) * 128 + (r % 8) * 16 + (c % 8) * 2. Eight neighbouring threads fill
// one core matrix (128 contiguous bytes, no bank conflict). Rows at or past `limit` are zeros.
template <typename T, int ROWS, int D, int THREADS>
__device__ __forceinline__ void load_core_tile_async(T* tile, const Operand& operand, int b, int h, int64_t first,
                                                     int64_t limit) {
  static_assert(sizeof(T) == 2, "core matrices of 8 two-byte elements a row");
  constexpr int chunks_per_row = D / 8;
  static_assert((ROWS * chunks_per_row) % THREADS == 0, "every thread copies the same number of chunks");
  const T* base = operand.row<const T>(b, h, first);
#pragma unroll
  for (int i = 0; i < ROWS * chunks_per_row / THREADS; ++i) {
    const int chunk = i * THREADS + static_cast<int>(threadIdx.x);
    const int row_in_group = chunk % 8, column = (chunk / 8) % chunks_per_row, group = chunk / (8 * chunks_per_row);
    const int row = group * 8 + row_in_group;
    const bool valid = first + row < limit;
    const T* source = valid ? base + row * operand.st + column * 8 : base;
    copy_async_16(tile + (group * chunks_per_row + column) * 64 + row_in_group * 8, source, valid);
  }
}

template <typename T, int D, bool CAUSAL, bool PV_WGMMA>
__global__ void __launch_bounds__(WgmmaForwardTiling::threads, 1) attention_forward_wgmma_kernel(const AttentionArgs args) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using Tiling = WgmmaForwardTiling;
  constexpr int BM = Tiling::block_q, BN = Tiling::block_kv, THREADS = Tiling::threads;
  constexpr uint32_t CORE = core_matrix_bytes, ROWS8 = row_group_bytes<D>;
  extern __shared__ __align__(16) unsigned char shared_raw[];
  T* const tile_q = reinterpret_cast<T*>(shared_raw);
  T* const tiles_kv = tile_q + BM * D;  // buffer i: keys at 2i, values at 2i + 1 (BN rows each)

  const ForwardBlock block = ForwardBlock::of<BM, BN, CAUSAL>(args);
  const int b = block.b, h = block.h, key_length = block.key_length, kv_tiles = block.kv_tiles;
  const int64_t q_start = block.q_start;
  const int warp = block.warp, lane = block.lane, group = block.group, in_group = block.in_group;
  float o[D / 8][4] = {};
  RowState rows;

  if (kv_tiles > 0) {
    load_core_tile_async<T, BM, D, THREADS>(tile_q, args.q, b, h, q_start, args.q_len);
    load_core_tile_async<T, BN, D, THREADS>(tiles_kv, args.k, b, h, 0, key_length);
    load_core_tile_async<T, BN, D, THREADS>(tiles_kv + BN * D, args.v, b, h, 0, key_length);
    copy_async_commit();
  }

  // q and k are K-major (head dim contiguous): the next core matrix along the head dim is 128 B on,
  // the next 8 rows ROWS8 on. This warpgroup's 64 query rows start 8 row groups in per warpgroup.
  const uint64_t q_descriptor = matrix_descriptor(shared_address(tile_q) + (warp / 4) * 8 * ROWS8, CORE, ROWS8);
  const uint32_t kv_address = shared_address(tiles_kv);
  // For the mma.sync p v: the row each lane hands to ldmatrix.x4.trans (rows kk * 16 + lane % 16,
  // columns 8 * (lane / 16)) in the core-matrix layout.
  const uint32_t v_lane = ((lane % 16) / 8) * ROWS8 + (lane / 16) * CORE + (lane % 8) * 16;
  const int first_query = static_cast<int>(q_start) + warp * 16 + group;
  const int causal_offset = static_cast<int>(args.causal_offset);

  for (int j = 0; j < kv_tiles; ++j) {
    copy_async_wait_all();
    fence_async_proxy();
    __syncthreads();
    if (j + 1 < kv_tiles) {
      T* next = tiles_kv + ((j + 1) % 2) * 2 * BN * D;
      load_core_tile_async<T, BN, D, THREADS>(next, args.k, b, h, int64_t{j + 1} * BN, key_length);
      load_core_tile_async<T, BN, D, THREADS>(next + BN * D, args.v, b, h, int64_t{j + 1} * BN, key_length);
      copy_async_commit();
    }
    const uint32_t k_address = kv_address + (j % 2) * 2 * BN * D * sizeof(T);
    const uint32_t v_address = k_address + BN * D * sizeof(T);

    float s[BN / 8][4] = {};
    wgmma_fence();
    const uint64_t k_descriptor = matrix_descriptor(k_address, CORE, ROWS8);
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      Wgmma<T, BN>::shared_shared(s, advanced(q_descriptor, kk * 2 * CORE), advanced(k_descriptor, kk * 2 * CORE));
    }
    wgmma_commit();
    wgmma_wait_all();

    const int k_start = j * BN;
    const bool partial =
        k_start + BN > key_length || (CAUSAL && k_start + BN - 1 > static_cast<int>(q_start) + causal_offset);
    scale_and_mask<BN, CAUSAL>(s, block.scale_log2, partial, k_start, key_length, first_query, causal_offset, in_group);
    online_softmax<BN, D>(s, o, rows);

    if constexpr (PV_WGMMA) {
      // v is N-major for this product (head dim, the N side, contiguous). Even with the transpose
      // bit the leading offset steps along K (the next 8 keys, ROWS8 on) and the stride along N (the
      // next 8 columns, 128 B on): measured on the H200, where the other reading faulted on the
      // last buffer and this one matched the reference (benchmarks/gpu/NOTES.md, v3).
      const uint64_t v_descriptor = matrix_descriptor(v_address, ROWS8, CORE);
      uint32_t a[BN / 16][4];
#pragma unroll
      for (int kk = 0; kk < BN / 16; ++kk) accumulators_as_operand<T>(a[kk], s[2 * kk], s[2 * kk + 1]);
      wgmma_fence();
#pragma unroll
      for (int kk = 0; kk < BN / 16; ++kk) {
        Wgmma<T, D>::registers_shared_transposed(o, a[kk], advanced(v_descriptor, kk * 2 * ROWS8));
      }
      wgmma_commit();
      wgmma_wait_all();
    } else {
#pragma unroll
      for (int kk = 0; kk < BN / 16; ++kk) {
        uint32_t a[4];
        accumulators_as_operand<T>(a, s[2 * kk], s[2 * kk + 1]);
        multiply_accumulate<T, true, D / 16>(
            o, a, [&](int d2) { return v_address + v_lane + kk * 2 * ROWS8 + d2 * 2 * CORE; });
      }
    }
  }

  store_rows<T, D>(args, b, h, first_query, o, rows, in_group);
#else
  (void)args;
#endif
}

}  // namespace actortrain::cuda
