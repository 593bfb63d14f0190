// The plain reference of the fused attention: the formula, in double precision, one element at a
// time. Slow on purpose and obviously right; the tests hold the kernels against it.
#pragma once

#include <actortrain/actortrain.h>

#include <vector>

namespace actortrain::attention {

struct ReferenceResult {
  // Contiguous (B, H, T, D) / (B, H, T).
  std::vector<double> out, lse, dq, dk, dv;
};

// Reads q, k, v (and d_out when with_backward) through the strides of `params`.
ReferenceResult reference_attention(const at_attention_params& params, bool with_backward);

}  // namespace actortrain::attention
