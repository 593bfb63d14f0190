// The fused attention kernels against the double-precision reference, for every kernel set this
// CPU can run, on fresh random inputs each run (the seed is printed on failure).
#include "attention/reference.hpp"
#include "attention_fixture.hpp"

#include <actortrain/actortrain.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

using attention_test::Buffer;
using attention_test::Layout;
using attention_test::Problem;
using attention_test::Shape;

namespace {

uint64_t fresh_seed() { return (static_cast<uint64_t>(std::random_device{}()) << 32) | std::random_device{}(); }

std::vector<at_isa> runnable_isas() {
  std::vector<at_isa> isas = {AT_ISA_SCALAR};
  if (at_cpu_isa() >= AT_ISA_AVX2) isas.push_back(AT_ISA_AVX2);
  if (at_cpu_isa() >= AT_ISA_AVX512) isas.push_back(AT_ISA_AVX512);
  return isas;
}

// Largest |ours - reference| over the logical elements, relative to the largest |reference|
// (at least 1): fp32 accumulation over a thousand keys should stay well under 1e-5.
double relative_error(Buffer& ours, const std::vector<double>& reference, const Shape& s, int64_t tokens,
                      std::string& first_bad) {
  double worst = 0.0, scale = 1.0;
  for (double x : reference) scale = std::max(scale, std::fabs(x));
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t h = 0; h < s.heads; ++h)
      for (int64_t t = 0; t < tokens; ++t)
        for (int64_t d = 0; d < s.head_dim; ++d) {
          const double got = ours.at(b, h, t, d);
          const double want = reference[((b * s.heads + h) * tokens + t) * s.head_dim + d];
          const double error = std::isfinite(got) ? std::fabs(got - want) / scale : INFINITY;
          if (error > worst && first_bad.empty() && !std::isfinite(got)) {
            first_bad = "non-finite at b" + std::to_string(b) + " h" + std::to_string(h) + " t" + std::to_string(t) +
                        " d" + std::to_string(d);
          }
          worst = std::max(worst, error);
        }
  return worst;
}

// Elements outside the logical tensor (gaps of strided layouts) must still hold the poison.
bool gaps_untouched(Buffer& buffer, const Shape& s, int64_t tokens) {
  std::vector<bool> logical(buffer.data.size(), false);
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t h = 0; h < s.heads; ++h)
      for (int64_t t = 0; t < tokens; ++t)
        for (int64_t d = 0; d < s.head_dim; ++d) logical[&buffer.at(b, h, t, d) - buffer.data.data()] = true;
  for (size_t i = 0; i < buffer.data.size(); ++i)
    if (!logical[i] && !std::isnan(buffer.data[i])) return false;
  return true;
}

class AttentionMatchesReference : public ::testing::TestWithParam<Shape> {
 protected:
  void TearDown() override { at_set_isa_limit(AT_ISA_AMX); }
};

TEST_P(AttentionMatchesReference, ForwardAndBackwardOnEveryRunnableIsa) {
  const Shape shape = GetParam();
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE(shape.describe() + " seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  Problem problem(shape, rng);
  const auto reference = actortrain::attention::reference_attention(problem.params, true);
  constexpr double tolerance = 2e-5;

  for (at_isa isa : runnable_isas()) {
    SCOPED_TRACE(std::string("isa ") + at_isa_name(isa));
    ASSERT_EQ(at_set_isa_limit(isa), AT_OK);
    problem.poison_outputs();
    ASSERT_EQ(at_attention_forward(&problem.params), AT_OK) << at_last_error();
    ASSERT_EQ(at_attention_backward(&problem.params), AT_OK) << at_last_error();

    std::string bad;
    EXPECT_LE(relative_error(problem.out, reference.out, shape, shape.q_len, bad), tolerance) << "out " << bad;
    EXPECT_LE(relative_error(problem.dq, reference.dq, shape, shape.q_len, bad), tolerance) << "dq " << bad;
    EXPECT_LE(relative_error(problem.dk, reference.dk, shape, shape.kv_len, bad), tolerance) << "dk " << bad;
    EXPECT_LE(relative_error(problem.dv, reference.dv, shape, shape.kv_len, bad), tolerance) << "dv " << bad;
    for (size_t row = 0; row < reference.lse.size(); ++row) {
      if (std::isinf(reference.lse[row])) {
        ASSERT_TRUE(std::isinf(problem.lse[row]) && problem.lse[row] < 0) << "lse row " << row << " = " << problem.lse[row];
      } else {
        ASSERT_NEAR(problem.lse[row], reference.lse[row], 1e-5 * (1 + std::fabs(reference.lse[row]))) << "lse row " << row;
      }
    }
    for (Buffer* output : {&problem.out, &problem.dq}) EXPECT_TRUE(gaps_untouched(*output, shape, shape.q_len));
    for (Buffer* output : {&problem.dk, &problem.dv}) EXPECT_TRUE(gaps_untouched(*output, shape, shape.kv_len));
  }
}

Shape shape(int64_t B, int64_t H, int64_t Tq, int64_t Tk, int64_t D) { return Shape{B, H, Tq, Tk, D}; }
Shape causal(Shape s, int64_t offset = 0) { s.causal = true; s.causal_offset = offset; return s; }
Shape padded(Shape s) { s.padded = true; return s; }
Shape laid_out(Shape s, Layout layout) { s.layout = layout; return s; }
Shape threads(Shape s, int n) { s.threads = n; return s; }

INSTANTIATE_TEST_SUITE_P(
    AwkwardShapes, AttentionMatchesReference,
    ::testing::Values(
        shape(1, 1, 1, 1, 16), shape(2, 3, 7, 7, 32), causal(shape(2, 2, 129, 129, 64)), shape(1, 2, 129, 129, 80),
        causal(shape(1, 1, 1000, 1000, 64)), shape(1, 1, 200, 200, 128), causal(shape(1, 2, 70, 70, 128)),
        shape(2, 2, 7, 129, 64), shape(1, 2, 129, 7, 32), causal(shape(1, 2, 33, 100, 64), 100 - 33),
        causal(shape(2, 1, 40, 20, 16), -5), padded(shape(3, 2, 65, 130, 64)), padded(causal(shape(3, 2, 100, 100, 32))),
        laid_out(causal(shape(2, 3, 77, 77, 64)), Layout::bthd), laid_out(padded(shape(2, 2, 50, 90, 80)), Layout::strided),
        threads(causal(shape(1, 1, 300, 300, 64)), 1), threads(shape(1, 1, 257, 300, 32), 5),
        shape(1, 1, 5, 3, 256), shape(2, 1, 64, 64, 1)));

TEST(Attention, QueryThatSeesNoKeyGetsZeroOutputMinusInfinityLseAndNoNaN) {
  std::mt19937_64 rng(fresh_seed());
  Shape s = causal(shape(1, 1, 8, 8, 16), -3);  // rows 0..2 see nothing
  Problem problem(s, rng);
  problem.poison_outputs();
  ASSERT_EQ(at_attention_forward(&problem.params), AT_OK) << at_last_error();
  ASSERT_EQ(at_attention_backward(&problem.params), AT_OK) << at_last_error();
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(std::isinf(problem.lse[i]) && problem.lse[i] < 0);
    for (int64_t d = 0; d < 16; ++d) {
      EXPECT_EQ(problem.out.at(0, 0, i, d), 0.f);
      EXPECT_EQ(problem.dq.at(0, 0, i, d), 0.f);
    }
  }
  for (float x : problem.dk.data) EXPECT_TRUE(std::isfinite(x));
}

TEST(Attention, BackwardIsBitwiseRepeatableForAGivenThreadCount) {
  std::mt19937_64 rng(fresh_seed());
  Problem problem(threads(causal(shape(1, 2, 300, 300, 64)), 3), rng);
  ASSERT_EQ(at_attention_forward(&problem.params), AT_OK);
  ASSERT_EQ(at_attention_backward(&problem.params), AT_OK);
  const std::vector<float> first_dq = problem.dq.data, first_dk = problem.dk.data;
  for (int run = 0; run < 3; ++run) {
    ASSERT_EQ(at_attention_backward(&problem.params), AT_OK);
    EXPECT_EQ(problem.dq.data, first_dq);
    EXPECT_EQ(problem.dk.data, first_dk);
  }
}

TEST(Attention, ForwardWithoutLseIsAllowed) {
  std::mt19937_64 rng(fresh_seed());
  Problem problem(shape(1, 1, 9, 9, 16), rng);
  problem.params.lse = nullptr;
  EXPECT_EQ(at_attention_forward(&problem.params), AT_OK) << at_last_error();
  EXPECT_EQ(at_attention_backward(&problem.params), AT_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(at_last_error()).find("lse is NULL"), std::string::npos);
}

}  // namespace
