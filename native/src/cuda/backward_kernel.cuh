// Backward fused attention, FlashAttention-2's algorithm: a block owns 64 keys (4 warps of 16) and
// walks the query tiles that see them. Per tile it recomputes the probabilities from the saved
// log-sum-exp, adds dv and dk in registers, and adds its share of dq to an fp32 buffer with
// atomics; the scores are computed transposed (keys as rows) so that p^T and ds^T feed the dv and
// dk products straight from the accumulators. Only ds^T goes through shared memory, for dq.
// Two small kernels around it: one computes delta = rowsum(d_out * out) and zeroes the dq sums,
// the other scales the sums into dq.
#pragma once

#include "cuda/attention_args.cuh"

namespace actortrain::cuda {

template <int D>
struct BackwardTiling {
  static constexpr int block_kv = 64;
  // Query tile: at head_dim 128 the dk and dv accumulators already take 128 registers a thread.
  static constexpr int block_q = D <= 64 ? 64 : 32;
  static constexpr int warps = 4;
  static constexpr int threads = warps * 32;
  static constexpr int ds_stride = block_q + 8;  // padded like the other tiles

  template <typename T>
  static constexpr int shared_bytes() {
    return ((2 * block_kv + 2 * block_q) * padded_row<D> + block_kv * ds_stride) * static_cast<int>(sizeof(T)) +
           2 * block_q * static_cast<int>(sizeof(float));
  }
};

template <typename T, int D, bool CAUSAL>
__global__ void __launch_bounds__(BackwardTiling<D>::threads) attention_backward_kernel(const AttentionArgs args) {
  using Tiling = BackwardTiling<D>;
  constexpr int BN = Tiling::block_kv, BM = Tiling::block_q, STRIDE = padded_row<D>, DS = Tiling::ds_stride;
  constexpr int THREADS = Tiling::threads;
  extern __shared__ __align__(16) unsigned char shared_raw[];
  T* const tile_k = reinterpret_cast<T*>(shared_raw);
  T* const tile_v = tile_k + BN * STRIDE;
  T* const tile_q = tile_v + BN * STRIDE;
  T* const tile_do = tile_q + BM * STRIDE;
  T* const tile_ds = tile_do + BM * STRIDE;  // ds^T: keys x queries
  float* const lse_log2 = reinterpret_cast<float*>(tile_ds + BN * DS);
  float* const delta = lse_log2 + BM;

  const int pair = static_cast<int>(blockIdx.x), b = pair / args.heads, h = pair % args.heads;
  const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
  const int group = lane / 4, in_group = lane % 4;
  const int64_t k_start = int64_t{blockIdx.y} * BN;
  const int key_length = args.key_length(b);
  const int causal_offset = static_cast<int>(args.causal_offset);  // clamped to int range by the caller
  constexpr float log2e = 1.4426950408889634f;
  const float scale_log2 = args.scale * log2e;

  // Query tiles with a query that sees one of these keys; none when every key is past key_length.
  const int q_tiles = (args.q_len + BM - 1) / BM;
  int first_tile = 0;
  if (CAUSAL) {
    const int64_t first_query = k_start - args.causal_offset;
    first_tile = first_query <= 0 ? 0 : static_cast<int>(lesser(first_query / BM, q_tiles));
  }
  if (k_start >= key_length) first_tile = q_tiles;

  auto load_query_tile = [&](int tile) {
    const int64_t q0 = int64_t{tile} * BM;
    load_tile_async<T, BM, D, THREADS>(tile_q, args.q, b, h, q0, args.q_len);
    load_tile_async<T, BM, D, THREADS>(tile_do, args.d_out, b, h, q0, args.q_len);
    for (int i = static_cast<int>(threadIdx.x); i < BM; i += THREADS) {
      const int64_t query = q0 + i;
      const bool valid = query < args.q_len;
      lse_log2[i] = valid ? *args.lse_at(b, h, query) * log2e : 0.f;
      delta[i] = valid ? args.delta[int64_t{pair} * args.q_len + query] : 0.f;
    }
  };

  float dk[D / 8][4] = {};
  float dv[D / 8][4] = {};
  if (first_tile < q_tiles) {
    load_tile_async<T, BN, D, THREADS>(tile_k, args.k, b, h, k_start, key_length);
    load_tile_async<T, BN, D, THREADS>(tile_v, args.v, b, h, k_start, key_length);
    load_query_tile(first_tile);
    copy_async_commit();
  }

  const int key_row = warp * 16;  // this warp's keys within the block
  constexpr int row_groups = BM / 16, column_groups = Tiling::warps / row_groups, columns = D / column_groups;
  const int row_group = warp % row_groups, column_group = warp / row_groups;
  // Per-lane ldmatrix addresses; the loops below add compile-time offsets only.
  const uint32_t k_rows = shared_address(tile_k) + at<T, STRIDE>(key_row, 0) + a_operand_lane<T, STRIDE>(lane);
  const uint32_t v_rows = shared_address(tile_v) + at<T, STRIDE>(key_row, 0) + a_operand_lane<T, STRIDE>(lane);
  const uint32_t q_columns = shared_address(tile_q) + b_operand_lane<T, STRIDE>(lane);
  const uint32_t q_transposed = shared_address(tile_q) + b_operand_transposed_lane<T, STRIDE>(lane);
  const uint32_t do_columns = shared_address(tile_do) + b_operand_lane<T, STRIDE>(lane);
  const uint32_t do_transposed = shared_address(tile_do) + b_operand_transposed_lane<T, STRIDE>(lane);
  const uint32_t k_transposed = shared_address(tile_k) + at<T, STRIDE>(0, column_group * columns) +
                                b_operand_transposed_lane<T, STRIDE>(lane);
  // ds^T is stored keys x queries; dq needs ds (queries x keys) as its A operand, so each 8x8
  // matrix is read transposed: matrix i covers keys 8 * (i / 2).. and queries 8 * (i % 2)...
  const uint32_t ds_rows = shared_address(tile_ds) +
                           at<T, DS>(lane % 8 + ((lane / 8) / 2) * 8, row_group * 16 + ((lane / 8) % 2) * 8);
  for (int tile = first_tile; tile < q_tiles; ++tile) {
    copy_async_wait_all();
    // The query tile has landed, and every warp is done reading ds^T of the previous tile.
    __syncthreads();
    const int64_t q0 = int64_t{tile} * BM;

    // s^T = k q^T, then p^T = exp(scale s^T - lse) where visible, else 0.
    float p[BM / 8][4] = {};
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      uint32_t a[4];
      load_matrix_x4(a, k_rows + at<T, STRIDE>(0, kk * 16));
      multiply_accumulate<T, false, BM / 16>(p, a, [&](int n2) { return q_columns + at<T, STRIDE>(n2 * 16, kk * 16); });
    }
    const bool partial = k_start + BN > key_length || q0 + BM > args.q_len ||
                         (CAUSAL && k_start + BN - 1 > q0 + args.causal_offset);
#pragma unroll
    for (int n = 0; n < BM / 8; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int column = n * 8 + 2 * in_group + e % 2;
        bool visible = true;
        if (partial) {
          const int key = static_cast<int>(k_start) + key_row + group + (e / 2) * 8, query = static_cast<int>(q0) + column;
          visible = key < key_length && query < args.q_len && (!CAUSAL || key <= query + causal_offset);
        }
        p[n][e] = visible ? exp2f(p[n][e] * scale_log2 - lse_log2[column]) : 0.f;
      }
    }

    // dv += p^T d_out.
#pragma unroll
    for (int kk = 0; kk < BM / 16; ++kk) {
      uint32_t a[4];
      accumulators_as_operand<T>(a, p[2 * kk], p[2 * kk + 1]);
      multiply_accumulate<T, true, D / 16>(dv, a, [&](int d2) { return do_transposed + at<T, STRIDE>(kk * 16, d2 * 16); });
    }

    // dp^T = v d_out^T, then ds^T = p^T (dp^T - delta), kept in ds.
    float ds[BM / 8][4] = {};
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      uint32_t a[4];
      load_matrix_x4(a, v_rows + at<T, STRIDE>(0, kk * 16));
      multiply_accumulate<T, false, BM / 16>(ds, a, [&](int n2) { return do_columns + at<T, STRIDE>(n2 * 16, kk * 16); });
    }
#pragma unroll
    for (int n = 0; n < BM / 8; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) ds[n][e] = p[n][e] * (ds[n][e] - delta[n * 8 + 2 * in_group + e % 2]);
    }

    // dk += ds^T q (scaled once, at the end).
#pragma unroll
    for (int kk = 0; kk < BM / 16; ++kk) {
      uint32_t a[4];
      accumulators_as_operand<T>(a, ds[2 * kk], ds[2 * kk + 1]);
      multiply_accumulate<T, true, D / 16>(dk, a, [&](int d2) { return q_transposed + at<T, STRIDE>(kk * 16, d2 * 16); });
    }

#pragma unroll
    for (int n = 0; n < BM / 8; ++n) {
      T* row = tile_ds + (key_row + group) * DS + n * 8 + 2 * in_group;
      *reinterpret_cast<uint32_t*>(row) = Element<T>::pack(ds[n][0], ds[n][1]);
      *reinterpret_cast<uint32_t*>(row + 8 * DS) = Element<T>::pack(ds[n][2], ds[n][3]);
    }
    // ds^T is complete, and nobody reads this query tile (or its lse and delta) any more.
    __syncthreads();
    if (tile + 1 < q_tiles) {
      load_query_tile(tile + 1);
      copy_async_commit();
    }

    // dq += ds k for this tile, while the next query tile copies: warps split the tile's rows
    // into groups of 16 and, where that leaves warps over, the head dim into column groups.
    float dq[columns / 8][4] = {};
#pragma unroll
    for (int kk = 0; kk < BN / 16; ++kk) {
      uint32_t a[4];
      load_matrix_x4_transposed(a, ds_rows + at<T, DS>(kk * 16, 0));
      multiply_accumulate<T, true, columns / 16>(dq, a,
                                                 [&](int d2) { return k_transposed + at<T, STRIDE>(kk * 16, d2 * 16); });
    }
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      const int64_t query = q0 + row_group * 16 + group + r * 8;
      if (query >= args.q_len) continue;
      float* sums = args.dq_accum + (int64_t{pair} * args.q_len + query) * D + column_group * columns + 2 * in_group;
#pragma unroll
      for (int d = 0; d < columns / 8; ++d) {
        atomicAdd(sums + d * 8, dq[d][2 * r]);
        atomicAdd(sums + d * 8 + 1, dq[d][2 * r + 1]);
      }
    }
  }

  // Keys past key_length (and blocks no query sees) write zeros: their sums stayed 0.
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const int64_t key = k_start + key_row + group + r * 8;
    if (key >= args.kv_len) continue;
    T* dk_row = args.dk.row<T>(b, h, key);
    T* dv_row = args.dv.row<T>(b, h, key);
#pragma unroll
    for (int d = 0; d < D / 8; ++d) {
      const int column = d * 8 + 2 * in_group;
      *reinterpret_cast<uint32_t*>(dk_row + column) =
          Element<T>::pack(dk[d][2 * r] * args.scale, dk[d][2 * r + 1] * args.scale);
      *reinterpret_cast<uint32_t*>(dv_row + column) = Element<T>::pack(dv[d][2 * r], dv[d][2 * r + 1]);
    }
  }
}

// One warp per query row of every (batch, head): delta = rowsum(d_out * out), and the row's dq
// sums set to 0.
template <typename T, int D>
__global__ void attention_backward_prepare_kernel(const AttentionArgs args) {
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const int64_t row = int64_t{blockIdx.x} * (blockDim.x / 32) + threadIdx.x / 32;
  if (row >= int64_t{args.batch} * args.heads * args.q_len) return;
  const int pair = static_cast<int>(row / args.q_len), b = pair / args.heads, h = pair % args.heads;
  const int64_t query = row % args.q_len;
  const T* out = args.out.row<const T>(b, h, query);
  const T* d_out = args.d_out.row<const T>(b, h, query);
  float sum = 0.f;
#pragma unroll
  for (int d = 2 * lane; d < D; d += 64) {
    const float2 x = Element<T>::unpack(*reinterpret_cast<const uint32_t*>(out + d));
    const float2 y = Element<T>::unpack(*reinterpret_cast<const uint32_t*>(d_out + d));
    sum += x.x * y.x + x.y * y.y;
  }
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, offset);
  if (lane == 0) args.delta[row] = sum;
  float* sums = args.dq_accum + row * D;
#pragma unroll
  for (int d = lane; d < D; d += 32) sums[d] = 0.f;
}

// One warp per query row: dq = scale * sums, in the caller's dtype and strides.
template <typename T, int D>
__global__ void attention_backward_finish_kernel(const AttentionArgs args) {
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const int64_t row = int64_t{blockIdx.x} * (blockDim.x / 32) + threadIdx.x / 32;
  if (row >= int64_t{args.batch} * args.heads * args.q_len) return;
  const int pair = static_cast<int>(row / args.q_len), b = pair / args.heads, h = pair % args.heads;
  const float* sums = args.dq_accum + row * D;
  T* dq = args.dq.row<T>(b, h, row % args.q_len);
#pragma unroll
  for (int d = 2 * lane; d < D; d += 64) {
    *reinterpret_cast<uint32_t*>(dq + d) = Element<T>::pack(sums[d] * args.scale, sums[d + 1] * args.scale);
  }
}

}  // namespace actortrain::cuda
