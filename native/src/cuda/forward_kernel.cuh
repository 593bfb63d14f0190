// Forward fused attention, FlashAttention-2's algorithm on the m16n8k16 tensor-core product:
// a block owns 128 query rows and walks the visible keys a tile (32 or 64) at a time, the next
// key and value tiles copying asynchronously while the current ones are multiplied. Scores, the
// online softmax (running max and sum per row) and the output stay in registers; probabilities
// feed the second product as operands straight from the accumulators. For sm_80 and newer.
//
// Two shapes of the same kernel (measured on an H200, benchmarks/gpu/NOTES.md):
// - WARP_ROWS 16: 8 warps of 16 rows. Every key or value fragment read from shared memory feeds
//   two products.
// - WARP_ROWS 32: 4 warps of 32 rows. Each fragment feeds four products, for twice the registers;
//   with 32 keys a tile (BLOCK_KV) instead of 64 the scores take half as many. 5-15% faster than
//   16 rows on the H200, not the 40% that halving shared-memory reads predicted: that bandwidth
//   was not the main limit.
#pragma once

#include "cuda/attention_args.cuh"
#include "cuda/forward_rows.cuh"

namespace actortrain::cuda {

template <int WARP_ROWS, int BLOCK_KV>
struct ForwardTiling {
  static constexpr int block_q = 128;
  static constexpr int block_kv = BLOCK_KV;
  static constexpr int warp_rows = WARP_ROWS;
  static constexpr int m_tiles = WARP_ROWS / 16;  // 16-row product tiles a warp owns
  static constexpr int warps = block_q / WARP_ROWS;
  static constexpr int threads = warps * 32;

  template <typename T, int D>
  static constexpr int shared_bytes() {
    // The query tile, then two buffers of (key tile, value tile).
    return (block_q + 4 * block_kv) * padded_row<D> * static_cast<int>(sizeof(T));
  }
};

// BLOCKS_PER_SM 2 caps registers at 65536 / (2 * threads) a thread (128 for 8 warps, with a few
// spilled at head_dim 128); 1 lets the compiler keep everything in registers.
template <typename T, int D, bool CAUSAL, int WARP_ROWS, int BLOCK_KV, int BLOCKS_PER_SM>
__global__ void __launch_bounds__(ForwardTiling<WARP_ROWS, BLOCK_KV>::threads, BLOCKS_PER_SM)
    attention_forward_kernel(const AttentionArgs args) {
  using Tiling = ForwardTiling<WARP_ROWS, BLOCK_KV>;
  constexpr int BM = Tiling::block_q, BN = Tiling::block_kv, STRIDE = padded_row<D>, MT = Tiling::m_tiles;
  constexpr int THREADS = Tiling::threads;
  extern __shared__ __align__(16) unsigned char shared_raw[];
  T* const tile_q = reinterpret_cast<T*>(shared_raw);
  T* const tiles_kv = tile_q + BM * STRIDE;  // buffer i: keys at 2i, values at 2i + 1 (BN rows each)

  const ForwardBlock block = ForwardBlock::of<BM, BN, CAUSAL>(args);
  const int b = block.b, h = block.h, key_length = block.key_length, kv_tiles = block.kv_tiles;
  const int64_t q_start = block.q_start;
  const int warp = block.warp, lane = block.lane, group = block.group, in_group = block.in_group;
  // Row r of product tile m of this lane: warp * WARP_ROWS + 16 m + group + 8 r.
  float o[MT][D / 8][4] = {};
  RowState rows[MT];

  if (kv_tiles > 0) {
    load_tile_async<T, BM, D, THREADS>(tile_q, args.q, b, h, q_start, args.q_len);
    load_tile_async<T, BN, D, THREADS>(tiles_kv, args.k, b, h, 0, key_length);
    load_tile_async<T, BN, D, THREADS>(tiles_kv + BN * STRIDE, args.v, b, h, 0, key_length);
    copy_async_commit();
  }

  // Per-lane ldmatrix addresses; the loops below add compile-time offsets only.
  const uint32_t q_lane =
      shared_address(tile_q) + at<T, STRIDE>(warp * WARP_ROWS, 0) + a_operand_lane<T, STRIDE>(lane);
  const uint32_t k_lane = shared_address(tiles_kv) + b_operand_lane<T, STRIDE>(lane);
  const uint32_t v_lane = shared_address(tiles_kv) + at<T, STRIDE>(BN, 0) + b_operand_transposed_lane<T, STRIDE>(lane);
  const int first_query = static_cast<int>(q_start) + warp * WARP_ROWS + group;
  const int causal_offset = static_cast<int>(args.causal_offset);

  for (int j = 0; j < kv_tiles; ++j) {
    copy_async_wait_all();
    // Tile j has landed for everyone, and everyone is done with tile j - 1, whose buffer the next
    // copy overwrites.
    __syncthreads();
    if (j + 1 < kv_tiles) {
      T* next = tiles_kv + ((j + 1) % 2) * 2 * BN * STRIDE;
      load_tile_async<T, BN, D, THREADS>(next, args.k, b, h, int64_t{j + 1} * BN, key_length);
      load_tile_async<T, BN, D, THREADS>(next + BN * STRIDE, args.v, b, h, int64_t{j + 1} * BN, key_length);
      copy_async_commit();
    }
    const uint32_t buffer = (j % 2) * at<T, STRIDE>(2 * BN, 0);

    // s = q k^T for this warp's rows and the tile's BN keys.
    float s[MT][BN / 8][4] = {};
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      uint32_t a[MT][4];
#pragma unroll
      for (int m = 0; m < MT; ++m) load_matrix_x4(a[m], q_lane + at<T, STRIDE>(16 * m, kk * 16));
      multiply_accumulate<T, false, MT, BN / 16>(
          s, a, [&](int n2) { return k_lane + buffer + at<T, STRIDE>(n2 * 16, kk * 16); });
    }

    const int k_start = j * BN;
    const bool partial =
        k_start + BN > key_length || (CAUSAL && k_start + BN - 1 > static_cast<int>(q_start) + causal_offset);
#pragma unroll
    for (int m = 0; m < MT; ++m) {
      scale_and_mask<BN, CAUSAL>(s[m], block.scale_log2, partial, k_start, key_length, first_query + 16 * m, causal_offset,
                                 in_group);
      online_softmax<BN, D>(s[m], o[m], rows[m]);
    }

    // o += p v.
#pragma unroll
    for (int kk = 0; kk < BN / 16; ++kk) {
      uint32_t a[MT][4];
#pragma unroll
      for (int m = 0; m < MT; ++m) accumulators_as_operand<T>(a[m], s[m][2 * kk], s[m][2 * kk + 1]);
      multiply_accumulate<T, true, MT, D / 16>(
          o, a, [&](int d2) { return v_lane + buffer + at<T, STRIDE>(kk * 16, d2 * 16); });
    }
  }

#pragma unroll
  for (int m = 0; m < MT; ++m) store_rows<T, D>(args, b, h, int64_t{first_query} + 16 * m, o[m], rows[m], in_group);
}

}  // namespace actortrain::cuda
