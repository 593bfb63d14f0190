// Forward fused attention, FlashAttention-2's algorithm on the m16n8k16 tensor-core product:
// a block owns 128 query rows and walks the visible keys a tile (32 or 64) at a time, the next key and value
// tiles copying asynchronously while the current ones are multiplied. Scores, the online softmax
// (running max and sum per row) and the output stay in registers; probabilities feed the second
// product as operands straight from the accumulators. Written for sm_80 and newer.
//
// Two shapes of the same kernel (measured on an H200, benchmarks/gpu/NOTES.md):
// - WARP_ROWS 16: 8 warps of 16 rows. Every key or value fragment read from shared memory feeds
//   two products, and shared-memory bandwidth, not the tensor cores, sets the pace.
// - WARP_ROWS 32: 4 warps of 32 rows. Each fragment feeds four products, for twice the registers;
//   with 32 keys a tile (BLOCK_KV) instead of 64 the scores take half as many.
#pragma once

#include "cuda/attention_args.cuh"

#include <math_constants.h>

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

  // Blocks start in x-major order: every (batch, head) pair's last query block, which sees the most
  // keys under a causal mask, goes first, so that the tail of the launch is short work.
  const int q_block = static_cast<int>(gridDim.y - 1 - blockIdx.y);
  const int pair = static_cast<int>(blockIdx.x), b = pair / args.heads, h = pair % args.heads;
  const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
  const int group = lane / 4, in_group = lane % 4;
  const int64_t q_start = static_cast<int64_t>(q_block) * BM;

  const int key_length = args.key_length(b);
  int64_t key_end = key_length;
  if (CAUSAL) key_end = lesser(key_end, q_start + BM + args.causal_offset);
  const int kv_tiles = key_end > 0 ? static_cast<int>((key_end + BN - 1) / BN) : 0;

  constexpr float log2e = 1.4426950408889634f;
  const float scale_log2 = args.scale * log2e;
  // Row r of product tile m of this lane: warp * WARP_ROWS + 16 m + group + 8 r.
  float o[MT][D / 8][4] = {};
  float row_max[MT][2];  // of the scaled (log2) scores
  float row_sum[MT][2];  // this lane's share of the row's sum
#pragma unroll
  for (int m = 0; m < MT; ++m) {
    row_max[m][0] = row_max[m][1] = -CUDART_INF_F;
    row_sum[m][0] = row_sum[m][1] = 0.f;
  }

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
  // Masks compare int positions: lengths are at most INT_MAX and the offset is clamped to them.
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
#pragma unroll
      for (int n2 = 0; n2 < BN / 16; ++n2) {
        uint32_t bk[4];
        load_matrix_x4(bk, k_lane + buffer + at<T, STRIDE>(n2 * 16, kk * 16));
#pragma unroll
        for (int m = 0; m < MT; ++m) {
          Element<T>::mma(s[m][2 * n2], a[m], bk[0], bk[1]);
          Element<T>::mma(s[m][2 * n2 + 1], a[m], bk[2], bk[3]);
        }
      }
    }

    const int k_start = j * BN;
    const bool partial =
        k_start + BN > key_length || (CAUSAL && k_start + BN - 1 > static_cast<int>(q_start) + causal_offset);
#pragma unroll
    for (int m = 0; m < MT; ++m) {
#pragma unroll
      for (int n = 0; n < BN / 8; ++n) {
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          s[m][n][e] *= scale_log2;
          if (partial) {
            const int key = k_start + n * 8 + 2 * in_group + (e % 2);
            const int query = first_query + 16 * m + (e / 2) * 8;
            if (key >= key_length || (CAUSAL && key > query + causal_offset)) s[m][n][e] = -CUDART_INF_F;
          }
        }
      }
    }

    // Online softmax: rescale what was accumulated when a row's max grows.
#pragma unroll
    for (int m = 0; m < MT; ++m) {
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        float tile_max = -CUDART_INF_F;
#pragma unroll
        for (int n = 0; n < BN / 8; ++n) tile_max = fmaxf(tile_max, fmaxf(s[m][n][2 * r], s[m][n][2 * r + 1]));
        const float new_max = fmaxf(row_max[m][r], group_max(tile_max));
        // A row that has seen only masked keys keeps max -inf; subtracting 0 keeps exp2 at 0, not NaN.
        const float base = new_max == -CUDART_INF_F ? 0.f : new_max;
        const float rescale = exp2f(row_max[m][r] - base);
        row_max[m][r] = new_max;
        row_sum[m][r] *= rescale;
#pragma unroll
        for (int d = 0; d < D / 8; ++d) {
          o[m][d][2 * r] *= rescale;
          o[m][d][2 * r + 1] *= rescale;
        }
#pragma unroll
        for (int n = 0; n < BN / 8; ++n) {
          s[m][n][2 * r] = exp2f(s[m][n][2 * r] - base);
          s[m][n][2 * r + 1] = exp2f(s[m][n][2 * r + 1] - base);
          row_sum[m][r] += s[m][n][2 * r] + s[m][n][2 * r + 1];
        }
      }
    }

    // o += p v.
#pragma unroll
    for (int kk = 0; kk < BN / 16; ++kk) {
      uint32_t a[MT][4];
#pragma unroll
      for (int m = 0; m < MT; ++m) accumulators_as_operand<T>(a[m], s[m][2 * kk], s[m][2 * kk + 1]);
#pragma unroll
      for (int d2 = 0; d2 < D / 16; ++d2) {
        uint32_t bv[4];
        load_matrix_x4_transposed(bv, v_lane + buffer + at<T, STRIDE>(kk * 16, d2 * 16));
#pragma unroll
        for (int m = 0; m < MT; ++m) {
          Element<T>::mma(o[m][2 * d2], a[m], bv[0], bv[1]);
          Element<T>::mma(o[m][2 * d2 + 1], a[m], bv[2], bv[3]);
        }
      }
    }
  }

  // out = o / sum, lse = ln(sum) + max; a row that saw no key gets 0 and -inf.
  constexpr float ln2 = 0.6931471805599453f;
#pragma unroll
  for (int m = 0; m < MT; ++m) {
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      const float sum = group_sum(row_sum[m][r]);
      const int64_t query = int64_t{first_query} + 16 * m + r * 8;
      if (query >= args.q_len) continue;
      const float inverse = sum > 0.f ? 1.f / sum : 0.f;
      T* out_row = args.out.row<T>(b, h, query);
#pragma unroll
      for (int d = 0; d < D / 8; ++d) {
        *reinterpret_cast<uint32_t*>(out_row + d * 8 + 2 * in_group) =
            Element<T>::pack(o[m][d][2 * r] * inverse, o[m][d][2 * r + 1] * inverse);
      }
      if (args.lse != nullptr && in_group == 0) {
        *args.lse_at(b, h, query) = sum > 0.f ? (row_max[m][r] + log2f(sum)) * ln2 : -CUDART_INF_F;
      }
    }
  }
}

}  // namespace actortrain::cuda
