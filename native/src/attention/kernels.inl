// FlashAttention-2 forward and backward on the CPU, written once over a GCC vector type and
// compiled per instruction set (kernels_portable.cpp, kernels_avx2.cpp, kernels_avx512.cpp).
// The includer defines AT_KERNEL_NAMESPACE, AT_VECTOR_BYTES and AT_MICRO_ROWS.
//
// Algorithm (Dao, "FlashAttention-2", 2023), per (batch, head):
//   forward, per query tile:  for each visible key tile: S = Q K^T (scaled, log2 units),
//     online softmax (running max m, running sum l, rescale the output accumulator), O += P V;
//     finally O /= l and lse = (m + log2 l) ln 2.  Key tiles past the causal diagonal are never read.
//   backward, per chunk of key tiles (the parallel unit, so few (batch, head) pairs still use every
//     core):  for each query tile that can see the key tile: recompute P^T = exp(S^T - lse),
//     dV += P^T dO, dP^T = V dO^T, dS^T = P^T (dP^T - delta), dK += dS^T Q, dQ^T += K^T dS^T.
//     dQ^T goes to a partial buffer per chunk; the partials are summed in chunk order afterwards,
//     so the result does not depend on which thread ran which chunk (deterministic).
// Every product is one GEMM shape, C (+)= A B with A and B row-major: A's element is broadcast,
// B's row is loaded as vectors, AT_MICRO_ROWS x 2 vectors of C live in registers. Operands are
// packed (transposed where needed) into thread-local scratch once per tile, which also makes any
// input strides cost the same.
//
// History: a dot-product form of S = Q K^T (horizontal sums per element) was the first idea and is
// slower than packing K^T and broadcasting Q; exp2 with the scale folded into Q saves a multiply per
// score. No standard-library templates here (see kernels.hpp), hence the small helpers below.

#include "attention/kernels.hpp"

#include <cstdint>
#include <cstring>

namespace actortrain::attention::AT_KERNEL_NAMESPACE {
namespace {

constexpr int W = AT_VECTOR_BYTES / 4;  // floats per vector
constexpr int MR = AT_MICRO_ROWS;       // rows of C per micro-tile
constexpr float log2e = 1.4426950408889634f;
constexpr float ln2 = 0.6931471805599453f;

typedef float vf __attribute__((vector_size(AT_VECTOR_BYTES)));
typedef float vf_unaligned __attribute__((vector_size(AT_VECTOR_BYTES), aligned(4), may_alias));
typedef int32_t vi __attribute__((vector_size(AT_VECTOR_BYTES)));

inline vf load(const float* p) { return *reinterpret_cast<const vf_unaligned*>(p); }
inline void store(float* p, vf v) { *reinterpret_cast<vf_unaligned*>(p) = v; }
// Spelled out per width: GCC 12 compiles this to one vbroadcastss. `vf{} + s` adds +0.0 first (not
// a no-op for -0.0, so it stays), and an element-by-element loop becomes a chain of inserts.
inline vf splat(float s) {
#if AT_VECTOR_BYTES == 16
  return vf{s, s, s, s};
#elif AT_VECTOR_BYTES == 32
  return vf{s, s, s, s, s, s, s, s};
#elif AT_VECTOR_BYTES == 64
  return vf{s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s};
#else
#  error "AT_VECTOR_BYTES must be 16, 32 or 64"
#endif
}
inline vf vmax(vf a, vf b) { return a > b ? a : b; }
inline float negative_infinity() { return -__builtin_inff(); }
inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
inline int64_t round_up(int64_t n, int64_t to) { return (n + to - 1) / to * to; }

inline float horizontal_max(vf v) {
  float m = v[0];
  for (int i = 1; i < W; ++i) m = v[i] > m ? v[i] : m;
  return m;
}

inline float horizontal_sum(vf v) {
  float s = 0.f;
  for (int i = 0; i < W; ++i) s += v[i];
  return s;
}

// 2^x for x <= 0 (softmax arguments), relative error ~1e-7. x <= -127 (and -inf) gives exactly 0,
// so masked scores contribute nothing. Round-to-nearest by the 1.5 * 2^23 trick; 2^fraction by
// its Taylor series to degree 7 on [-0.5, 0.5] (truncation error < 1e-8); 2^integer by exponent bits.
inline vf exp2v(vf x) {
  const vf lowest = splat(-127.f);
  x = x < lowest ? lowest : x;
  const vf magic = splat(12582912.f);
  const vf whole = (x + magic) - magic;
  const vf f = x - whole;
  vf p = splat(1.5252733804059841e-05f);
  p = p * f + splat(1.5403530393381608e-04f);
  p = p * f + splat(1.3333558146428443e-03f);
  p = p * f + splat(9.6181291076284772e-03f);
  p = p * f + splat(5.5504108664821580e-02f);
  p = p * f + splat(2.4022650695910071e-01f);
  p = p * f + splat(6.9314718055994531e-01f);
  p = p * f + splat(1.f);
  const vi exponent = (__builtin_convertvector(whole, vi) + 127) << 23;
  vf two_to_whole;
  std::memcpy(&two_to_whole, &exponent, sizeof two_to_whole);
  return p * two_to_whole;
}

// ---- GEMM: C[M x N] (+)= A[M x K] B[K x N]; row-major; N a multiple of W ----------------------

template <int R, int NV, bool Accumulate>
inline void micro_tile(int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc) {
  vf acc[R][NV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = Accumulate ? load(C + r * ldc + v * W) : vf{};
  for (int64_t k = 0; k < K; ++k) {
    vf b[NV];
    for (int v = 0; v < NV; ++v) b[v] = load(B + k * ldb + v * W);
    for (int r = 0; r < R; ++r) {
      const vf a = splat(A[r * lda + k]);
      for (int v = 0; v < NV; ++v) acc[r][v] += a * b[v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) store(C + r * ldc + v * W, acc[r][v]);
}

template <int NV, bool Accumulate, int R = MR - 1>
inline void row_tail(int64_t rows, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc) {
  if constexpr (R > 0) {
    if (rows == R) micro_tile<R, NV, Accumulate>(K, A, lda, B, ldb, C, ldc);
    else row_tail<NV, Accumulate, R - 1>(rows, K, A, lda, B, ldb, C, ldc);
  }
}

template <int NV, bool Accumulate>
inline void column_panel(int64_t M, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc) {
  int64_t m = 0;
  for (; m + MR <= M; m += MR) micro_tile<MR, NV, Accumulate>(K, A + m * lda, lda, B, ldb, C + m * ldc, ldc);
  if (m < M) row_tail<NV, Accumulate>(M - m, K, A + m * lda, lda, B, ldb, C + m * ldc, ldc);
}

template <bool Accumulate>
void gemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc) {
  int64_t n = 0;
  for (; n + 2 * W <= N; n += 2 * W) column_panel<2, Accumulate>(M, K, A, lda, B + n, ldb, C + n, ldc);
  for (; n < N; n += W) column_panel<1, Accumulate>(M, K, A, lda, B + n, ldb, C + n, ldc);
}

// ---- packing: strided (token, dim) views into contiguous tiles -----------------------------------

// dst[r * ld + d] = src(row0 + r)[d] * factor for r < rows, d < D; zero up to d < ld.
void pack_rows(const View4& src, int64_t b, int64_t h, int64_t row0, int64_t rows, int64_t D, float factor, float* dst, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = src.at(b, h, row0 + r);
    float* o = dst + r * ld;
    if (src.sd == 1) {
      for (int64_t d = 0; d < D; ++d) o[d] = s[d] * factor;
    } else {
      for (int64_t d = 0; d < D; ++d) o[d] = s[d * src.sd] * factor;
    }
    for (int64_t d = D; d < ld; ++d) o[d] = 0.f;
  }
}

// dst[d * ld + r] = src(row0 + r)[d] for r < rows; zero for rows <= r < padded_rows.
void pack_transposed(const View4& src, int64_t b, int64_t h, int64_t row0, int64_t rows, int64_t padded_rows, int64_t D, float* dst, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = src.at(b, h, row0 + r);
    for (int64_t d = 0; d < D; ++d) dst[d * ld + r] = s[d * src.sd];
  }
  for (int64_t d = 0; d < D; ++d)
    for (int64_t r = rows; r < padded_rows; ++r) dst[d * ld + r] = 0.f;
}

void write_rows(const View4& dst, int64_t b, int64_t h, int64_t row0, int64_t rows, int64_t D, const float* src, int64_t ld, float factor) {
  for (int64_t r = 0; r < rows; ++r) {
    float* o = dst.at(b, h, row0 + r);
    const float* s = src + r * ld;
    for (int64_t d = 0; d < D; ++d) o[d * dst.sd] = s[d] * factor;
  }
}

// ---- forward ----------------------------------------------------------------------------------

void forward_tile(const Problem& p, int64_t b, int64_t h, int64_t q_tile) {
  const int64_t D = p.head_dim, Dp = round_up(D, W);
  const int64_t Br = p.block_q, Bc = p.block_kv;
  const int64_t i0 = q_tile * Br, rows = min64(Br, p.q_len - i0);

  float* Q = scratch_floats(Br * Dp + D * Bc + Bc * Dp + Br * Bc + Br * Dp + 3 * Br);
  float* KT = Q + Br * Dp;       // D x Bc
  float* V = KT + D * Bc;        // Bc x Dp
  float* S = V + Bc * Dp;        // Br x Bc: scores, then probabilities
  float* O = S + Br * Bc;        // Br x Dp: unnormalised output
  float* m = O + Br * Dp;        // running max, log2 units
  float* l = m + Br;             // running sum
  float* limit = l + Br;         // visible keys per row, as float

  pack_rows(p.q, b, h, i0, rows, D, p.scale * log2e, Q, Dp);
  int64_t most_visible = 0, least_visible = p.kv_len;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t visible = p.visible_keys(b, i0 + r);
    limit[r] = static_cast<float>(visible);
    most_visible = max64(most_visible, visible);
    least_visible = min64(least_visible, visible);
    m[r] = negative_infinity();
    l[r] = 0.f;
  }
  for (int64_t i = 0; i < rows * Dp; ++i) O[i] = 0.f;

  for (int64_t j0 = 0; j0 < most_visible; j0 += Bc) {
    const int64_t cols = min64(Bc, most_visible - j0), padded = round_up(cols, W);
    pack_transposed(p.k, b, h, j0, cols, padded, D, KT, Bc);
    pack_rows(p.v, b, h, j0, cols, D, 1.f, V, Dp);
    for (int64_t i = cols * Dp; i < padded * Dp; ++i) V[i] = 0.f;  // 0 * garbage could be NaN

    gemm<false>(rows, padded, D, Q, Dp, KT, Bc, S, Bc);  // (rows, padded) scores, log2 units

    const bool partly_hidden = j0 + padded > least_visible;
    for (int64_t r = 0; r < rows; ++r) {
      float* s = S + r * Bc;
      if (partly_hidden) {
        for (int64_t c = max64(static_cast<int64_t>(limit[r]) - j0, 0); c < padded; ++c) s[c] = negative_infinity();
      }
      vf row_max = splat(negative_infinity());
      for (int64_t c = 0; c < padded; c += W) row_max = vmax(row_max, load(s + c));
      const float tile_max = horizontal_max(row_max);
      const float m_new = tile_max > m[r] ? tile_max : m[r];
      if (m_new == negative_infinity()) {  // nothing visible yet in this row
        for (int64_t c = 0; c < padded; ++c) s[c] = 0.f;
        continue;
      }
      const float alpha = __builtin_exp2f(m[r] - m_new);
      const vf shift = splat(m_new);
      vf sum = vf{};
      for (int64_t c = 0; c < padded; c += W) {
        const vf e = exp2v(load(s + c) - shift);
        store(s + c, e);
        sum += e;
      }
      l[r] = l[r] * alpha + horizontal_sum(sum);
      m[r] = m_new;
      if (alpha != 1.f) {
        float* o = O + r * Dp;
        const vf a = splat(alpha);
        for (int64_t d = 0; d < Dp; d += W) store(o + d, load(o + d) * a);
      }
    }
    gemm<true>(rows, Dp, cols, S, Bc, V, Dp, O, Dp);  // O += P V
  }

  for (int64_t r = 0; r < rows; ++r) {
    const float inverse = l[r] > 0.f ? 1.f / l[r] : 0.f;
    write_rows(p.out, b, h, i0 + r, 1, D, O + r * Dp, Dp, inverse);
    if (p.lse) *p.lse_at(b, h, i0 + r) = l[r] > 0.f ? (m[r] + __builtin_log2f(l[r])) * ln2 : negative_infinity();
  }
}

// ---- backward ---------------------------------------------------------------------------------

void backward_delta(const Problem& p, int64_t b, int64_t h) {
  float* delta = p.delta + (b * p.heads + h) * p.q_len;
  for (int64_t i = 0; i < p.q_len; ++i) {
    const float* o = p.out.at(b, h, i);
    const float* g = p.d_out.at(b, h, i);
    float sum = 0.f;
    for (int64_t d = 0; d < p.head_dim; ++d) sum += o[d * p.out.sd] * g[d * p.d_out.sd];
    delta[i] = sum;
  }
}

void backward_chunk(const Problem& p, int64_t b, int64_t h, int64_t chunk) {
  const int64_t D = p.head_dim, Dp = round_up(D, W);
  const int64_t Br = p.block_q, Bc = p.block_kv;
  const int64_t tiles = p.kv_tiles();
  const int64_t first_tile = chunk * tiles / p.kv_chunks, end_tile = (chunk + 1) * tiles / p.kv_chunks;
  const int64_t keys_of_batch = p.key_lengths ? p.key_lengths[b] : p.kv_len;
  const float* delta = p.delta + (b * p.heads + h) * p.q_len;
  const float score_scale = p.scale * log2e;

  float* K = scratch_floats(4 * Bc * Dp + D * Bc + 2 * D * Br + 2 * Br * Dp + 2 * Bc * Br + 3 * Br);
  float* V = K + Bc * Dp;         // Bc x Dp
  float* dK = V + Bc * Dp;        // Bc x Dp
  float* dV = dK + Bc * Dp;       // Bc x Dp
  float* KT = dV + Bc * Dp;       // D x Bc
  float* QT = KT + D * Bc;        // D x Br
  float* dOT = QT + D * Br;       // D x Br
  float* Q = dOT + D * Br;        // Br x Dp
  float* dO = Q + Br * Dp;        // Br x Dp
  float* PT = dO + Br * Dp;       // Bc x Br
  float* dST = PT + Bc * Br;      // Bc x Br: dP^T, then dS^T in place
  float* limit = dST + Bc * Br;   // visible keys per query row of the tile, as float
  float* lse2 = limit + Br;       // lse in log2 units
  float* row_delta = lse2 + Br;

  float* dq_partial = p.dq_partial(b, h, chunk);  // D x q_len_padded, transposed
  for (int64_t i = 0; i < D * p.q_len_padded; ++i) dq_partial[i] = 0.f;

  for (int64_t tile = first_tile; tile < end_tile; ++tile) {
    const int64_t j0 = tile * Bc, cols = min64(Bc, p.kv_len - j0);
    for (int64_t i = 0; i < cols * Dp; ++i) dK[i] = dV[i] = 0.f;
    // Queries that can see key j0 onwards: all of them, or from the causal diagonal down.
    const int64_t first_query = p.causal ? max64(j0 - p.causal_offset, 0) : 0;
    if (j0 < keys_of_batch && first_query < p.q_len) {
      pack_rows(p.k, b, h, j0, cols, D, 1.f, K, Dp);
      pack_rows(p.v, b, h, j0, cols, D, 1.f, V, Dp);
      pack_transposed(p.k, b, h, j0, cols, cols, D, KT, Bc);

      for (int64_t i0 = first_query / Br * Br; i0 < p.q_len; i0 += Br) {
        const int64_t rows = min64(Br, p.q_len - i0), padded = round_up(rows, W);
        pack_transposed(p.q, b, h, i0, rows, padded, D, QT, Br);
        pack_transposed(p.d_out, b, h, i0, rows, padded, D, dOT, Br);
        pack_rows(p.q, b, h, i0, rows, D, 1.f, Q, Dp);
        pack_rows(p.d_out, b, h, i0, rows, D, 1.f, dO, Dp);
        for (int64_t r = 0; r < padded; ++r) {
          const bool real = r < rows;
          limit[r] = real ? static_cast<float>(p.visible_keys(b, i0 + r)) : 0.f;
          lse2[r] = real ? *p.lse_at(b, h, i0 + r) * log2e : 0.f;
          row_delta[r] = real ? delta[i0 + r] : 0.f;
        }

        gemm<false>(cols, padded, D, K, Dp, QT, Br, PT, Br);  // S^T = K Q^T
        for (int64_t c = 0; c < cols; ++c) {                    // P^T = exp(S^T - lse), masked
          const vf key = splat(static_cast<float>(j0 + c));
          float* pt = PT + c * Br;
          for (int64_t r = 0; r < padded; r += W) {
            const vf e = exp2v(load(pt + r) * splat(score_scale) - load(lse2 + r));
            store(pt + r, key < load(limit + r) ? e : vf{});
          }
        }
        gemm<true>(cols, Dp, rows, PT, Br, dO, Dp, dV, Dp);     // dV += P^T dO
        gemm<false>(cols, padded, D, V, Dp, dOT, Br, dST, Br);  // dP^T = V dO^T
        for (int64_t c = 0; c < cols; ++c) {                    // dS^T = P^T (dP^T - delta)
          float* ds = dST + c * Br;
          const float* pt = PT + c * Br;
          for (int64_t r = 0; r < padded; r += W) store(ds + r, load(pt + r) * (load(ds + r) - load(row_delta + r)));
        }
        gemm<true>(cols, Dp, rows, dST, Br, Q, Dp, dK, Dp);                            // dK += dS^T Q
        gemm<true>(D, padded, cols, KT, Bc, dST, Br, dq_partial + i0, p.q_len_padded);  // dQ^T += K^T dS^T
      }
    }
    write_rows(p.dk, b, h, j0, cols, D, dK, Dp, p.scale);
    write_rows(p.dv, b, h, j0, cols, D, dV, Dp, 1.f);
  }
}

void backward_reduce_dq(const Problem& p, int64_t b, int64_t h) {
  const int64_t D = p.head_dim, stride = p.q_len_padded;
  for (int64_t i = 0; i < p.q_len; ++i) {
    float* o = p.dq.at(b, h, i);
    for (int64_t d = 0; d < D; ++d) {
      float sum = 0.f;
      for (int64_t chunk = 0; chunk < p.kv_chunks; ++chunk) sum += p.dq_partial(b, h, chunk)[d * stride + i];
      o[d * p.dq.sd] = sum * p.scale;
    }
  }
}

}  // namespace

extern const KernelSet kernels;
const KernelSet kernels = {
    AT_KERNEL_NAME, W, forward_tile, backward_delta, backward_chunk, backward_reduce_dq,
};

}  // namespace actortrain::attention::AT_KERNEL_NAMESPACE
