// Random attention problems in the layouts the kernels must handle, with outputs poisoned (NaN)
// before each call so an element the kernel forgot to write shows up.
#pragma once

#include <actortrain/actortrain.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace attention_test {

enum class Layout { bhtd, bthd, strided };

struct Shape {
  int64_t batch, heads, q_len, kv_len, head_dim;
  bool causal = false;
  int64_t causal_offset = 0;
  bool padded = false;  // random key_lengths, one batch entry 0 when batch > 1
  Layout layout = Layout::bhtd;
  int threads = 2;

  std::string describe() const {
    const char* layouts[] = {"bhtd", "bthd", "strided"};
    return "B" + std::to_string(batch) + " H" + std::to_string(heads) + " Tq" + std::to_string(q_len) + " Tk" +
           std::to_string(kv_len) + " D" + std::to_string(head_dim) + (causal ? " causal@" + std::to_string(causal_offset) : "") +
           (padded ? " padded" : "") + " " + layouts[static_cast<int>(layout)] + " threads" + std::to_string(threads);
  }
};

// One (B, H, T, D) tensor in a buffer larger than it when the layout leaves gaps.
struct Buffer {
  std::vector<float> data;
  at_tensor4 view{};

  Buffer(const Shape& s, int64_t tokens, Layout layout) {
    const int64_t B = s.batch, H = s.heads, D = s.head_dim;
    switch (layout) {
      case Layout::bhtd:
        data.resize(B * H * tokens * D);
        view.strides[0] = H * tokens * D; view.strides[1] = tokens * D; view.strides[2] = D; view.strides[3] = 1;
        break;
      case Layout::bthd:
        data.resize(B * tokens * H * D);
        view.strides[0] = tokens * H * D; view.strides[1] = D; view.strides[2] = H * D; view.strides[3] = 1;
        break;
      case Layout::strided: {  // every other float of a row, rows padded: a non-contiguous view
        const int64_t row = 2 * D + 3;
        data.resize(B * H * tokens * row);
        view.strides[0] = H * tokens * row; view.strides[1] = tokens * row; view.strides[2] = row; view.strides[3] = 2;
        break;
      }
    }
    view.data = data.data();
  }

  float& at(int64_t b, int64_t h, int64_t t, int64_t d) {
    return data[b * view.strides[0] + h * view.strides[1] + t * view.strides[2] + d * view.strides[3]];
  }
};

inline void PrintTo(const Shape& shape, std::ostream* os) { *os << shape.describe(); }

struct Problem {
  Shape shape;
  Buffer q, k, v, out, d_out, dq, dk, dv;
  std::vector<float> lse;
  std::vector<int32_t> key_lengths;
  at_attention_params params{};

  Problem(const Shape& s, std::mt19937_64& rng)
      : shape(s),
        q(s, s.q_len, s.layout), k(s, s.kv_len, s.layout), v(s, s.kv_len, s.layout), out(s, s.q_len, s.layout),
        d_out(s, s.q_len, s.layout), dq(s, s.q_len, s.layout), dk(s, s.kv_len, s.layout), dv(s, s.kv_len, s.layout),
        lse(s.batch * s.heads * s.q_len) {
    std::normal_distribution<float> normal(0.f, 1.f);
    for (Buffer* input : {&q, &k, &v, &d_out}) {
      for (float& x : input->data) x = std::numeric_limits<float>::quiet_NaN();  // gaps stay NaN
      for (int64_t b = 0; b < s.batch; ++b)
        for (int64_t h = 0; h < s.heads; ++h)
          for (int64_t t = 0; t < (input == &k || input == &v ? s.kv_len : s.q_len); ++t)
            for (int64_t d = 0; d < s.head_dim; ++d) input->at(b, h, t, d) = normal(rng);
    }
    if (s.padded) {
      std::uniform_int_distribution<int32_t> length(1, static_cast<int32_t>(s.kv_len));
      for (int64_t b = 0; b < s.batch; ++b) key_lengths.push_back(b == 1 ? 0 : length(rng));
    }
    params.dtype = AT_DTYPE_F32;
    params.batch = s.batch;
    params.heads = s.heads;
    params.q_len = s.q_len;
    params.kv_len = s.kv_len;
    params.head_dim = s.head_dim;
    params.scale = 1.f / std::sqrt(static_cast<float>(s.head_dim));
    params.causal = s.causal ? 1 : 0;
    params.causal_offset = s.causal_offset;
    params.key_lengths = key_lengths.empty() ? nullptr : key_lengths.data();
    params.num_threads = s.threads;
    params.q = q.view;
    params.k = k.view;
    params.v = v.view;
    params.out = out.view;
    params.d_out = d_out.view;
    params.dq = dq.view;
    params.dk = dk.view;
    params.dv = dv.view;
    params.lse = lse.data();
    params.lse_strides[0] = s.heads * s.q_len;
    params.lse_strides[1] = s.q_len;
    params.lse_strides[2] = 1;
  }

  void poison_outputs() {
    for (Buffer* output : {&out, &dq, &dk, &dv})
      for (float& x : output->data) x = std::numeric_limits<float>::quiet_NaN();
    for (float& x : lse) x = std::numeric_limits<float>::quiet_NaN();
  }
};

}  // namespace attention_test
