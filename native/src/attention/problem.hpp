// The validated attention call as the kernels see it. Plain data only: this header is included by
// the ISA-specific translation units, which must not instantiate shared templates (see kernels.hpp).
#pragma once

#include <cstdint>

// Its few accessors are forced inline: an ordinary inline member gets an out-of-line copy in each ISA's translation
// unit, built with that unit's flags, and the linker keeps one of them for all (at -O0 every call goes to it), which
// could be the AVX-512 one on a CPU without AVX-512. Inlined at every call, each unit runs its own code.
#define AT_ACCESSOR __attribute__((always_inline)) inline

namespace actortrain::attention {

struct View4 {
  float* data;
  int64_t sb, sh, st, sd;  // element strides of (batch, head, token, dim)

  AT_ACCESSOR float* at(int64_t b, int64_t h, int64_t t) const { return data + b * sb + h * sh + t * st; }
};

struct Problem {
  int64_t batch, heads, q_len, kv_len, head_dim;
  float scale;
  bool causal;
  int64_t causal_offset;
  const int32_t* key_lengths;

  View4 q, k, v, out, d_out, dq, dk, dv;
  float* lse;  // may be null in forward
  int64_t lse_sb, lse_sh, lse_st;

  // Tiling, fixed by the dispatcher: query rows per tile, keys per tile.
  int64_t block_q, block_kv;

  // Backward only: delta = rowsum(d_out * out) per (b, h, query), contiguous (B, H, q_len);
  // dq partial sums, (B, H, kv_chunks) blocks of q_len_padded x head_dim, stored per query tile as
  // transposed (head_dim x block_q) blocks; q_len_padded = q_tiles * block_q.
  float* delta;
  float* dq_partials;
  int64_t kv_chunks;
  int64_t q_len_padded;

  // Keys query `i` of batch `b` may see are [0, visible_keys(b, i)).
  AT_ACCESSOR int64_t visible_keys(int64_t b, int64_t i) const {
    int64_t limit = key_lengths ? key_lengths[b] : kv_len;
    if (causal) {
      const int64_t causal_limit = i + causal_offset + 1;
      if (causal_limit < limit) limit = causal_limit;
    }
    return limit < 0 ? 0 : limit;
  }

  AT_ACCESSOR float* lse_at(int64_t b, int64_t h, int64_t i) const { return lse + b * lse_sb + h * lse_sh + i * lse_st; }
  AT_ACCESSOR float* dq_partial(int64_t b, int64_t h, int64_t chunk) const {
    return dq_partials + ((b * heads + h) * kv_chunks + chunk) * head_dim * q_len_padded;
  }
  AT_ACCESSOR int64_t kv_tiles() const { return (kv_len + block_kv - 1) / block_kv; }
  AT_ACCESSOR int64_t q_tiles() const { return (q_len + block_q - 1) / block_q; }
};

}  // namespace actortrain::attention

// Only this header's accessors are forced inline; the name stays out of every file that includes it.
#undef AT_ACCESSOR
