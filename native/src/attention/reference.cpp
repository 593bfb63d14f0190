#include "attention/reference.hpp"

#include <cmath>
#include <limits>

namespace actortrain::attention {
namespace {

double element(const at_tensor4& t, int64_t b, int64_t h, int64_t i, int64_t d) {
  return static_cast<const float*>(t.data)[b * t.strides[0] + h * t.strides[1] + i * t.strides[2] + d * t.strides[3]];
}

bool visible(const at_attention_params& p, int64_t b, int64_t i, int64_t j) {
  if (p.key_lengths && j >= p.key_lengths[b]) return false;
  return !p.causal || j <= i + p.causal_offset;
}

}  // namespace

ReferenceResult reference_attention(const at_attention_params& p, bool with_backward) {
  const int64_t B = p.batch, H = p.heads, Tq = p.q_len, Tk = p.kv_len, D = p.head_dim;
  ReferenceResult r;
  r.out.assign(B * H * Tq * D, 0.0);
  r.lse.assign(B * H * Tq, -std::numeric_limits<double>::infinity());
  if (with_backward) {
    r.dq.assign(B * H * Tq * D, 0.0);
    r.dk.assign(B * H * Tk * D, 0.0);
    r.dv.assign(B * H * Tk * D, 0.0);
  }
  std::vector<double> probability(Tk);
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t h = 0; h < H; ++h) {
      for (int64_t i = 0; i < Tq; ++i) {
        double max_score = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < Tk; ++j) {
          probability[j] = -std::numeric_limits<double>::infinity();
          if (!visible(p, b, i, j)) continue;
          double dot = 0.0;
          for (int64_t d = 0; d < D; ++d) dot += element(p.q, b, h, i, d) * element(p.k, b, h, j, d);
          probability[j] = dot * p.scale;
          max_score = std::max(max_score, probability[j]);
        }
        if (max_score == -std::numeric_limits<double>::infinity()) continue;  // sees nothing: 0, -inf
        double sum = 0.0;
        for (int64_t j = 0; j < Tk; ++j) {
          probability[j] = visible(p, b, i, j) ? std::exp(probability[j] - max_score) : 0.0;
          sum += probability[j];
        }
        const int64_t row = (b * H + h) * Tq + i;
        r.lse[row] = max_score + std::log(sum);
        for (int64_t j = 0; j < Tk; ++j) probability[j] /= sum;
        for (int64_t d = 0; d < D; ++d) {
          double o = 0.0;
          for (int64_t j = 0; j < Tk; ++j) o += probability[j] * element(p.v, b, h, j, d);
          r.out[row * D + d] = o;
        }
        if (!with_backward) continue;
        // dP_j = dO . v_j;  delta = sum_j P_j dP_j;  dS_j = P_j (dP_j - delta).
        std::vector<double> d_prob(Tk, 0.0);
        double delta = 0.0;
        for (int64_t j = 0; j < Tk; ++j) {
          if (probability[j] == 0.0) continue;
          for (int64_t d = 0; d < D; ++d) d_prob[j] += element(p.d_out, b, h, i, d) * element(p.v, b, h, j, d);
          delta += probability[j] * d_prob[j];
        }
        for (int64_t j = 0; j < Tk; ++j) {
          if (probability[j] == 0.0) continue;
          const double d_score = probability[j] * (d_prob[j] - delta) * p.scale;
          const int64_t key_row = (b * H + h) * Tk + j;
          for (int64_t d = 0; d < D; ++d) {
            r.dq[row * D + d] += d_score * element(p.k, b, h, j, d);
            r.dk[key_row * D + d] += d_score * element(p.q, b, h, i, d);
            r.dv[key_row * D + d] += probability[j] * element(p.d_out, b, h, i, d);
          }
        }
      }
    }
  }
  return r;
}

}  // namespace actortrain::attention
