// What both forward kernels (mma.sync and wgmma) do to the rows they own, written once: where a
// block starts and which keys it must visit, the scaling and masking of a 16-row score tile, the
// online softmax that folds it into the running output, and the final division and store. A
// 16-row tile lives as in an m16n8 accumulator: lane = 4 group + in_group holds rows group and
// group + 8, columns 2 in_group and 2 in_group + 1 of every 8-column block.
#pragma once

#include "cuda/attention_args.cuh"

#include <math_constants.h>

#include <limits>

namespace actortrain::cuda {

// One block's query rows and the keys they see, and where this thread sits in its warp.
struct ForwardBlock {
  int b, h;
  int64_t q_start;
  int key_length;    // batch b's keys, clamped to [0, kv_len]
  int kv_tiles;      // key tiles holding a key some row of the block sees
  float scale_log2;  // softmax scale times log2(e): the kernels exponentiate with exp2
  int warp, lane, group, in_group;  // lane = 4 group + in_group

  // Blocks start in x-major order: every (batch, head) pair's last query block, which sees the most
  // keys under a causal mask, goes first, so that the tail of the launch is short work.
  template <int BM, int BN, bool CAUSAL>
  __device__ __forceinline__ static ForwardBlock of(const AttentionArgs& args) {
    ForwardBlock block{};
    const int pair = static_cast<int>(blockIdx.x);
    block.b = pair / args.heads;
    block.h = pair % args.heads;
    block.q_start = static_cast<int64_t>(gridDim.y - 1 - blockIdx.y) * BM;
    block.key_length = args.key_length(block.b);
    int64_t key_end = block.key_length;
    if (CAUSAL) key_end = lesser(key_end, block.q_start + BM + args.causal_offset);
    block.kv_tiles = key_end > 0 ? static_cast<int>((key_end + BN - 1) / BN) : 0;
    constexpr float log2e = 1.4426950408889634f;
    block.scale_log2 = args.scale * log2e;
    block.warp = static_cast<int>(threadIdx.x) / 32;
    block.lane = static_cast<int>(threadIdx.x) % 32;
    block.group = block.lane / 4;
    block.in_group = block.lane % 4;
    return block;
  }
};

// Running softmax state of a lane's two rows in one 16-row tile.
struct RowState {
  static constexpr float minus_infinity = -std::numeric_limits<float>::infinity();
  float max[2] = {minus_infinity, minus_infinity};  // of the scaled (log2) scores
  float sum[2] = {0.f, 0.f};                        // this lane's share of the row's sum
};

// s *= scale * log2(e); where `partial`, keys past key_length or (causal) past the row's limit get
// -inf. first_query is this lane's first row (group) of the tile. Masks compare int positions:
// lengths are at most INT_MAX and the offset is clamped to them.
template <int BN, bool CAUSAL>
__device__ __forceinline__ void scale_and_mask(float (&s)[BN / 8][4], float scale_log2, bool partial, int k_start,
                                               int key_length, int first_query, int causal_offset, int in_group) {
#pragma unroll
  for (int n = 0; n < BN / 8; ++n) {
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      s[n][e] *= scale_log2;
      if (partial) {
        const int key = k_start + n * 8 + 2 * in_group + (e % 2);
        const int query = first_query + (e / 2) * 8;
        if (key >= key_length || (CAUSAL && key > query + causal_offset)) s[n][e] = -CUDART_INF_F;
      }
    }
  }
}

// Online softmax: the tile's scores become probabilities against the new row max, and what was
// accumulated (o, the sums) is rescaled when a row's max grows.
template <int BN, int D>
__device__ __forceinline__ void online_softmax(float (&s)[BN / 8][4], float (&o)[D / 8][4], RowState& rows) {
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float tile_max = -CUDART_INF_F;
#pragma unroll
    for (int n = 0; n < BN / 8; ++n) tile_max = fmaxf(tile_max, fmaxf(s[n][2 * r], s[n][2 * r + 1]));
    const float new_max = fmaxf(rows.max[r], group_max(tile_max));
    // A row that has seen only masked keys keeps max -inf; subtracting 0 keeps exp2 at 0, not NaN.
    const float base = new_max == -CUDART_INF_F ? 0.f : new_max;
    const float rescale = exp2f(rows.max[r] - base);
    rows.max[r] = new_max;
    rows.sum[r] *= rescale;
#pragma unroll
    for (int d = 0; d < D / 8; ++d) {
      o[d][2 * r] *= rescale;
      o[d][2 * r + 1] *= rescale;
    }
#pragma unroll
    for (int n = 0; n < BN / 8; ++n) {
      s[n][2 * r] = exp2f(s[n][2 * r] - base);
      s[n][2 * r + 1] = exp2f(s[n][2 * r + 1] - base);
      rows.sum[r] += s[n][2 * r] + s[n][2 * r + 1];
    }
  }
}

// out = o / sum, lse = ln(sum) + max; a row that saw no key gets 0 and -inf. Rows past q_len are
// not written.
template <typename T, int D>
__device__ __forceinline__ void store_rows(const AttentionArgs& args, int b, int h, int64_t first_query,
                                           const float (&o)[D / 8][4], const RowState& rows, int in_group) {
  constexpr float ln2 = 0.6931471805599453f;
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const float sum = group_sum(rows.sum[r]);
    const int64_t query = first_query + r * 8;
    if (query >= args.q_len) continue;
    const float inverse = sum > 0.f ? 1.f / sum : 0.f;
    T* out_row = args.out.row<T>(b, h, query);
#pragma unroll
    for (int d = 0; d < D / 8; ++d) {
      *reinterpret_cast<uint32_t*>(out_row + d * 8 + 2 * in_group) =
          Element<T>::pack(o[d][2 * r] * inverse, o[d][2 * r + 1] * inverse);
    }
    if (args.lse != nullptr && in_group == 0) {
      *args.lse_at(b, h, query) = sum > 0.f ? (rows.max[r] + log2f(sum)) * ln2 : -CUDART_INF_F;
    }
  }
}

}  // namespace actortrain::cuda
