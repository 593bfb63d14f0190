// What a CUDA attention launch reads: the validated at_attention_params in device-friendly form,
// plus the backward pass's workspace. Head-dim strides are 1 (checked by the entry point), so an
// operand is its base pointer and three strides.
#pragma once

#include "cuda/device_ops.cuh"

#include <cstdint>

namespace actortrain::cuda {

struct Operand {
  void* data;
  int64_t sb, sh, st;  // element strides of batch, head, token

  template <typename T>
  __device__ __forceinline__ T* row(int b, int h, int64_t t) const {
    return static_cast<T*>(data) + b * sb + h * sh + t * st;
  }
};

struct AttentionArgs {
  Operand q, k, v, out, d_out, dq, dk, dv;
  float* lse;
  int64_t lse_sb, lse_sh, lse_st;
  int batch, heads, q_len, kv_len;
  float scale;
  int64_t causal_offset;        // query i sees key j only when j <= i + causal_offset
  const int32_t* key_lengths;   // device memory or null
  float* delta;                 // backward: rowsum(d_out * out), (batch * heads, q_len)
  float* dq_accum;              // backward: fp32 dq sums, (batch * heads, q_len, head_dim)

  __device__ __forceinline__ float* lse_at(int b, int h, int64_t i) const {
    return lse + b * lse_sb + h * lse_sh + i * lse_st;
  }

  // Keys batch b may see at all, clamped to [0, kv_len] (not validated on the host).
  __device__ __forceinline__ int key_length(int b) const {
    if (key_lengths == nullptr) return kv_len;
    const int n = key_lengths[b];
    return n < 0 ? 0 : (n > kv_len ? kv_len : n);
  }
};

__device__ __forceinline__ int64_t lesser(int64_t a, int64_t b) { return a < b ? a : b; }

// Shared-memory tiles keep rows of head_dim elements padded by 16 bytes, so that the 8 rows one
// ldmatrix reads start in 8 different bank groups (a row of 128 or 256 bytes would put them all
// in the same one).
template <int D>
constexpr int padded_row = D + 8;

// Byte offsets, inside a padded tile, of the row each lane hands to ldmatrix.x4 for the three
// operand shapes of m16n8k16 (rows, columns of the tile as stored):
// - a 16x16 A operand stored row-major (matrices: rows 0-7/8-15 x columns 0-7/8-15, rows first);
template <typename T, int STRIDE>
__device__ __forceinline__ uint32_t a_operand_lane(int lane) {
  return ((lane % 16) * STRIDE + (lane / 16) * 8) * sizeof(T);
}
// - two 8-column B operands (16 x 8 each) stored as their transpose, n rows by k columns;
template <typename T, int STRIDE>
__device__ __forceinline__ uint32_t b_operand_lane(int lane) {
  return ((lane % 8 + (lane / 16) * 8) * STRIDE + ((lane / 8) % 2) * 8) * sizeof(T);
}
// - two 8-column B operands stored as they are, k rows by n columns (loaded transposed): the
//   same lane rows as the A operand.
template <typename T, int STRIDE>
__device__ __forceinline__ uint32_t b_operand_transposed_lane(int lane) {
  return a_operand_lane<T, STRIDE>(lane);
}

// Byte offset of element (row, column) of a tile whose rows hold STRIDE elements.
template <typename T, int STRIDE>
__host__ __device__ constexpr uint32_t at(int row, int column) {
  return static_cast<uint32_t>((row * STRIDE + column) * sizeof(T));
}

// Starts copying `ROWS` token rows of an operand, from token `first`, into a padded tile; rows at
// or past `limit` are zero-filled, so that no uninitialised shared memory (possibly NaN) meets a
// zero probability.
template <typename T, int ROWS, int D, int THREADS>
__device__ __forceinline__ void load_tile_async(T* tile, const Operand& operand, int b, int h, int64_t first,
                                                int64_t limit) {
  constexpr int chunks_per_row = D * static_cast<int>(sizeof(T)) / 16;
  constexpr int elements_per_chunk = 16 / static_cast<int>(sizeof(T));
  static_assert((ROWS * chunks_per_row) % THREADS == 0, "every thread copies the same number of chunks");
  const T* base = operand.row<const T>(b, h, first);
#pragma unroll
  for (int i = 0; i < ROWS * chunks_per_row / THREADS; ++i) {
    const int chunk = i * THREADS + static_cast<int>(threadIdx.x);
    const int row = chunk / chunks_per_row, column = (chunk % chunks_per_row) * elements_per_chunk;
    const bool valid = first + row < limit;
    const T* source = valid ? base + row * operand.st + column : base;
    copy_async_16(tile + row * padded_row<D> + column, source, valid);
  }
}

}  // namespace actortrain::cuda
