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
// Every product is one GEMM shape, C (+)= A B: A's element is broadcast (so A may have any strides
// and is read in place: K, V, K^T and V^T straight from the caller's tensors), B's row is loaded as
// vectors (so B must have unit-stride rows: Q^T and dO^T are packed once per (batch, head), Q and
// dO are read in place when their rows are contiguous), AT_MICRO_ROWS x 2 vectors of C live in
// registers. Scores are kept transposed (S^T: keys x queries), so the softmax statistics of a
// query are per column and vectorise across queries without horizontal reductions.
//
// History (fwd+bwd, B4 H8 T1024 D64 causal, 2 Zen3 cores): first version, S = Q K^T with K^T and V
// packed per (query tile, key tile) pair and per-row softmax: 58 GFLOP/s; broadcasting with one
// vbroadcastss instead of GCC's add+broadcast: 86; transposed scores, A operands in place, Q^T/dO^T
// packed once per (batch, head): see the commit that made this change. A dot-product form of
// Q K^T (horizontal sums per score) was slower than any of these. No standard-library templates
// here (see kernels.hpp), hence the small helpers below.

#include "attention/kernels.hpp"
#include "attention/workspace.hpp"

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

// ---- GEMM: C[M x N] (+)= A[M x K] B[K x N] ------------------------------------------------------
// A(r, k) = A[r * a_row + k * a_col] (any strides); B row-major with unit-stride rows (ldb);
// C row-major (ldc); N a multiple of W.

struct MatrixA {
  const float* data;
  int64_t row, col;  // element strides
};

template <int R, int NV, bool Accumulate>
inline void micro_tile(int64_t K, MatrixA A, const float* B, int64_t ldb, float* C, int64_t ldc) {
  vf acc[R][NV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = Accumulate ? load(C + r * ldc + v * W) : vf{};
  const float* a = A.data;
  for (int64_t k = 0; k < K; ++k, a += A.col) {
    vf b[NV];
    for (int v = 0; v < NV; ++v) b[v] = load(B + k * ldb + v * W);
    for (int r = 0; r < R; ++r) {
      const vf x = splat(a[r * A.row]);
      for (int v = 0; v < NV; ++v) acc[r][v] += x * b[v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) store(C + r * ldc + v * W, acc[r][v]);
}

template <int NV, bool Accumulate, int R = MR - 1>
inline void row_tail(int64_t rows, int64_t K, MatrixA A, const float* B, int64_t ldb, float* C, int64_t ldc) {
  if constexpr (R > 0) {
    if (rows == R) micro_tile<R, NV, Accumulate>(K, A, B, ldb, C, ldc);
    else row_tail<NV, Accumulate, R - 1>(rows, K, A, B, ldb, C, ldc);
  }
}

template <int NV, bool Accumulate>
inline void column_panel(int64_t M, int64_t K, MatrixA A, const float* B, int64_t ldb, float* C, int64_t ldc) {
  int64_t m = 0;
  for (; m + MR <= M; m += MR) micro_tile<MR, NV, Accumulate>(K, MatrixA{A.data + m * A.row, A.row, A.col}, B, ldb, C + m * ldc, ldc);
  if (m < M) row_tail<NV, Accumulate>(M - m, K, MatrixA{A.data + m * A.row, A.row, A.col}, B, ldb, C + m * ldc, ldc);
}

template <bool Accumulate>
void gemm(int64_t M, int64_t N, int64_t K, MatrixA A, const float* B, int64_t ldb, float* C, int64_t ldc) {
  int64_t n = 0;
  for (; n + 2 * W <= N; n += 2 * W) column_panel<2, Accumulate>(M, K, A, B + n, ldb, C + n, ldc);
  for (; n < N; n += W) column_panel<1, Accumulate>(M, K, A, B + n, ldb, C + n, ldc);
}

// Rows [row0, row0 + count) of one (batch, head) of a tensor, as a GEMM A operand (rows x dim) or
// its transpose (dim x rows), read in place.
MatrixA rows_of(const View4& t, int64_t b, int64_t h, int64_t row0) { return MatrixA{t.at(b, h, row0), t.st, t.sd}; }
MatrixA transposed_rows_of(const View4& t, int64_t b, int64_t h, int64_t row0) { return MatrixA{t.at(b, h, row0), t.sd, t.st}; }

// ---- packing: B operands need unit-stride rows ------------------------------------------------

// dst[d * ld + r] = src(row0 + r)[d] * factor for r < rows; zero for rows <= r < padded_rows.
void pack_transposed(const View4& src, int64_t b, int64_t h, int64_t row0, int64_t rows, int64_t padded_rows, int64_t D,
                     float factor, float* dst, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = src.at(b, h, row0 + r);
    for (int64_t d = 0; d < D; ++d) dst[d * ld + r] = s[d * src.sd] * factor;
  }
  for (int64_t d = 0; d < D; ++d)
    for (int64_t r = rows; r < padded_rows; ++r) dst[d * ld + r] = 0.f;
}

// A (rows x D) B operand of a tensor's rows: the tensor itself when its rows are unit-stride and D
// fills whole vectors, else a packed copy with D padded to Dp by zeros (returned ld in *ld).
const float* rows_as_b(const View4& src, int64_t b, int64_t h, int64_t row0, int64_t rows, int64_t D, int64_t Dp,
                       float* pack, int64_t* ld) {
  if (src.sd == 1 && D == Dp && src.st == D) {  // rows far apart would thrash L1 sets: pack those
    *ld = src.st;
    return src.at(b, h, row0);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = src.at(b, h, row0 + r);
    for (int64_t d = 0; d < D; ++d) pack[r * Dp + d] = s[d * src.sd];
    for (int64_t d = D; d < Dp; ++d) pack[r * Dp + d] = 0.f;
  }
  *ld = Dp;
  return pack;
}

// dst(row0 + r)[d] = src[r * ld + d] * factor.
void write_rows(const View4& dst, int64_t b, int64_t h, int64_t row0, int64_t rows, int64_t D, const float* src, int64_t ld, float factor) {
  for (int64_t r = 0; r < rows; ++r) {
    float* o = dst.at(b, h, row0 + r);
    const float* s = src + r * ld;
    for (int64_t d = 0; d < D; ++d) o[d * dst.sd] = s[d] * factor;
  }
}

// ---- forward ----------------------------------------------------------------------------------

void forward_tile(const Problem& p, int64_t b, int64_t h, int64_t q_tile) {
  const int64_t D = p.head_dim, Br = p.block_q, Bc = p.block_kv;
  const int64_t i0 = q_tile * Br, rows = min64(Br, p.q_len - i0), padded = round_up(rows, W);

  TileScratch scratch(D * Br + Bc * Br + D * Br + 5 * Br);
  float* QT = scratch.data();
  float* ST = QT + D * Br;     // Bc x Br: scores of a key tile (log2 units), then probabilities
  float* OT = ST + Bc * Br;    // D x Br: unnormalised output, transposed
  float* m = OT + D * Br;      // running max per query
  float* l = m + Br;           // running sum per query
  float* limit = l + Br;       // keys visible to each query, as float
  float* shift = limit + Br;   // this tile's exponent shift per query (0 while nothing is visible)
  float* alpha = shift + Br;   // rescale of the earlier accumulation per query

  pack_transposed(p.q, b, h, i0, rows, padded, D, p.scale * log2e, QT, Br);
  int64_t most_visible = 0, least_visible = p.kv_len;
  for (int64_t r = 0; r < padded; ++r) {
    const int64_t visible = r < rows ? p.visible_keys(b, i0 + r) : 0;
    limit[r] = static_cast<float>(visible);
    if (r < rows) {
      most_visible = max64(most_visible, visible);
      least_visible = min64(least_visible, visible);
    }
    m[r] = negative_infinity();
    l[r] = 0.f;
  }
  for (int64_t i = 0; i < D * Br; ++i) OT[i] = 0.f;

  for (int64_t j0 = 0; j0 < most_visible; j0 += Bc) {
    const int64_t cols = min64(Bc, most_visible - j0);
    gemm<false>(cols, padded, D, rows_of(p.k, b, h, j0), QT, Br, ST, Br);  // S^T = K Q^T

    if (j0 + cols > least_visible) {  // some query does not see all of this tile
      for (int64_t c = 0; c < cols; ++c) {
        const vf key = splat(static_cast<float>(j0 + c));
        for (int64_t r = 0; r < padded; r += W) {
          float* s = ST + c * Br + r;
          store(s, key < load(limit + r) ? load(s) : splat(negative_infinity()));
        }
      }
    }
    for (int64_t r = 0; r < padded; r += W) {  // online softmax, W queries at a time
      const vf m_old = load(m + r);
      vf m_new = m_old;
      for (int64_t c = 0; c < cols; ++c) m_new = vmax(m_new, load(ST + c * Br + r));
      const vf nothing_yet = splat(negative_infinity());
      const vf s = m_new == nothing_yet ? vf{} : m_new;
      vf sum = vf{};
      for (int64_t c = 0; c < cols; ++c) {
        const vf e = exp2v(load(ST + c * Br + r) - s);
        store(ST + c * Br + r, e);
        sum += e;
      }
      const vf a = exp2v(m_old - s);
      store(l + r, load(l + r) * a + sum);
      store(m + r, m_new);
      store(alpha + r, a);
      store(shift + r, s);
    }
    for (int64_t d = 0; d < D; ++d)
      for (int64_t r = 0; r < padded; r += W) store(OT + d * Br + r, load(OT + d * Br + r) * load(alpha + r));
    gemm<true>(D, padded, cols, transposed_rows_of(p.v, b, h, j0), ST, Br, OT, Br);  // O^T += V^T P^T
  }

  for (int64_t r = 0; r < rows; ++r) {
    const float inverse = l[r] > 0.f ? 1.f / l[r] : 0.f;
    float* o = p.out.at(b, h, i0 + r);
    for (int64_t d = 0; d < D; ++d) o[d * p.out.sd] = OT[d * Br + r] * inverse;
    if (p.lse) *p.lse_at(b, h, i0 + r) = l[r] > 0.f ? (shift[r] + __builtin_log2f(l[r])) * ln2 : negative_infinity();
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
  const int64_t D = p.head_dim, Dp = round_up(D, W), Br = p.block_q, Bc = p.block_kv;
  const int64_t Tq = p.q_len, Tqp = p.q_len_padded;
  const int64_t tiles = p.kv_tiles();
  const int64_t first_tile = chunk * tiles / p.kv_chunks, end_tile = (chunk + 1) * tiles / p.kv_chunks;
  const int64_t keys_of_batch = p.key_lengths ? p.key_lengths[b] : p.kv_len;
  const float* delta = p.delta + (b * p.heads + h) * Tq;
  const float score_scale = p.scale * log2e;

  // Whole (batch, head) operands, packed once: Q^T and dO^T as one (D x Br) block per query tile
  // (a D x Tq matrix would put its rows Tq floats apart, and at T = 1024 or 4096 every row of a
  // tile would fall into the same L1 set); Q and dO row-major when they cannot be read in place
  // with short rows; per-query lse (log2 units), delta and visible keys.
  TileScratch scratch(2 * D * Tqp + 2 * Tqp * Dp + 3 * Tqp + 2 * Bc * Dp + 2 * Bc * Br);
  float* QT = scratch.data();
  float* dOT = QT + D * Tqp;
  float* Q_pack = dOT + D * Tqp;
  float* dO_pack = Q_pack + Tqp * Dp;
  float* lse2 = dO_pack + Tqp * Dp;
  float* row_delta = lse2 + Tqp;
  float* limit = row_delta + Tqp;
  float* dK = limit + Tqp;     // Bc x Dp
  float* dV = dK + Bc * Dp;    // Bc x Dp
  float* PT = dV + Bc * Dp;    // Bc x Br
  float* dST = PT + Bc * Br;   // Bc x Br: dP^T, then dS^T in place

  for (int64_t i0 = 0; i0 < Tq; i0 += Br) {
    const int64_t rows = min64(Br, Tq - i0);
    pack_transposed(p.q, b, h, i0, rows, Br, D, 1.f, QT + i0 * D, Br);
    pack_transposed(p.d_out, b, h, i0, rows, Br, D, 1.f, dOT + i0 * D, Br);
  }
  int64_t ld_q = 0, ld_do = 0;
  const float* Q = rows_as_b(p.q, b, h, 0, Tq, D, Dp, Q_pack, &ld_q);
  const float* dO = rows_as_b(p.d_out, b, h, 0, Tq, D, Dp, dO_pack, &ld_do);
  for (int64_t i = 0; i < Tqp; ++i) {
    const bool real = i < Tq;
    lse2[i] = real ? *p.lse_at(b, h, i) * log2e : 0.f;
    row_delta[i] = real ? delta[i] : 0.f;
    limit[i] = real ? static_cast<float>(p.visible_keys(b, i)) : 0.f;  // padding rows see nothing
  }

  float* dq_partial = p.dq_partial(b, h, chunk);  // (D x Br) block per query tile
  for (int64_t i = 0; i < D * Tqp; ++i) dq_partial[i] = 0.f;

  for (int64_t tile = first_tile; tile < end_tile; ++tile) {
    const int64_t j0 = tile * Bc, cols = min64(Bc, p.kv_len - j0);
    for (int64_t i = 0; i < cols * Dp; ++i) dK[i] = dV[i] = 0.f;
    // Queries that can see key j0 onwards: all of them, or from the causal diagonal down.
    const int64_t first_query = p.causal ? max64(j0 - p.causal_offset, 0) : 0;
    if (j0 < keys_of_batch && first_query < Tq) {
      const MatrixA K = rows_of(p.k, b, h, j0), V = rows_of(p.v, b, h, j0), KT = transposed_rows_of(p.k, b, h, j0);
      for (int64_t i0 = first_query / Br * Br; i0 < Tq; i0 += Br) {
        const int64_t rows = min64(Br, Tq - i0), padded = round_up(rows, W);
        gemm<false>(cols, padded, D, K, QT + i0 * D, Br, PT, Br);  // S^T = K Q^T
        for (int64_t c = 0; c < cols; ++c) {                     // P^T = exp(S^T - lse), masked
          const vf key = splat(static_cast<float>(j0 + c));
          float* pt = PT + c * Br;
          for (int64_t r = 0; r < padded; r += W) {
            const vf e = exp2v(load(pt + r) * splat(score_scale) - load(lse2 + i0 + r));
            store(pt + r, key < load(limit + i0 + r) ? e : vf{});
          }
        }
        gemm<true>(cols, Dp, rows, MatrixA{PT, Br, 1}, dO + i0 * ld_do, ld_do, dV, Dp);  // dV += P^T dO
        gemm<false>(cols, padded, D, V, dOT + i0 * D, Br, dST, Br);                      // dP^T = V dO^T
        for (int64_t c = 0; c < cols; ++c) {                                              // dS^T = P^T (dP^T - delta)
          float* ds = dST + c * Br;
          const float* pt = PT + c * Br;
          for (int64_t r = 0; r < padded; r += W) store(ds + r, load(pt + r) * (load(ds + r) - load(row_delta + i0 + r)));
        }
        gemm<true>(cols, Dp, rows, MatrixA{dST, Br, 1}, Q + i0 * ld_q, ld_q, dK, Dp);  // dK += dS^T Q
        gemm<true>(D, padded, cols, KT, dST, Br, dq_partial + i0 * D, Br);             // dQ^T += K^T dS^T
      }
    }
    write_rows(p.dk, b, h, j0, cols, D, dK, Dp, p.scale);
    write_rows(p.dv, b, h, j0, cols, D, dV, Dp, 1.f);
  }
}

void backward_reduce_dq(const Problem& p, int64_t b, int64_t h) {
  const int64_t D = p.head_dim, Br = p.block_q;
  // Chunk partials summed in chunk order (deterministic), W queries at a time along the rows of
  // each tile's transposed (D x Br) block.
  for (int64_t i0 = 0; i0 < p.q_len; i0 += Br) {
    for (int64_t d = 0; d < D; ++d) {
      const int64_t offset = i0 * D + d * Br;
      for (int64_t r = 0; r < Br && i0 + r < p.q_len; r += W) {
        vf sum = load(p.dq_partial(b, h, 0) + offset + r);
        for (int64_t chunk = 1; chunk < p.kv_chunks; ++chunk) sum += load(p.dq_partial(b, h, chunk) + offset + r);
        sum *= splat(p.scale);
        for (int64_t w = 0; w < W && i0 + r + w < p.q_len; ++w) p.dq.at(b, h, i0 + r + w)[d * p.dq.sd] = sum[w];
      }
    }
  }
}

}  // namespace

extern const KernelSet kernels;
const KernelSet kernels = {
    AT_KERNEL_NAME, W, forward_tile, backward_delta, backward_chunk, backward_reduce_dq,
};

}  // namespace actortrain::attention::AT_KERNEL_NAMESPACE
