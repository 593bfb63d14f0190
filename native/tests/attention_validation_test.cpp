// Every bad argument is refused before any work, with a status and a message naming it.
#include "attention_fixture.hpp"

#include <actortrain/actortrain.h>
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>

namespace {

struct BadCall {
  const char* what;
  std::function<void(at_attention_params&, std::vector<int32_t>&)> spoil;
  const char* message;
  at_status status = AT_ERR_INVALID_ARGUMENT;
};

class AttentionRejects : public ::testing::TestWithParam<BadCall> {};

TEST_P(AttentionRejects, BadArgumentWithAMessageNamingIt) {
  std::mt19937_64 rng(7);
  attention_test::Problem problem(attention_test::Shape{2, 2, 8, 8, 16}, rng);
  std::vector<int32_t> lengths = {4, 9};
  at_attention_params params = problem.params;
  GetParam().spoil(params, lengths);
  for (auto call : {at_attention_forward, at_attention_backward}) {
    at_clear_error();
    EXPECT_EQ(call(&params), GetParam().status) << GetParam().what;
    EXPECT_NE(std::string(at_last_error()).find(GetParam().message), std::string::npos)
        << GetParam().what << ": " << at_last_error();
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryArgument, AttentionRejects,
    ::testing::Values(
        BadCall{"dtype", [](auto& p, auto&) { p.dtype = static_cast<at_dtype>(5); }, "dtype 5 is not supported", AT_ERR_UNSUPPORTED},
        BadCall{"bf16 on the CPU", [](auto& p, auto&) { p.dtype = AT_DTYPE_BF16; }, "dtype 1 is not supported on the CPU",
                AT_ERR_UNSUPPORTED},
        BadCall{"device", [](auto& p, auto&) { p.device = static_cast<at_device>(7); },
                "device must be AT_DEVICE_CPU or AT_DEVICE_CUDA (got 7)"},
        BadCall{"batch", [](auto& p, auto&) { p.batch = 0; }, "batch must be at least 1 (got 0)"},
        BadCall{"q_len", [](auto& p, auto&) { p.q_len = -3; }, "q_len must be at least 1 (got -3)"},
        BadCall{"head_dim", [](auto& p, auto&) { p.head_dim = 257; }, "head_dim 257 is over the supported maximum 256"},
        BadCall{"scale", [](auto& p, auto&) { p.scale = NAN; }, "scale is not finite"},
        BadCall{"causal", [](auto& p, auto&) { p.causal = 2; }, "causal must be 0 or 1 (got 2)"},
        BadCall{"threads", [](auto& p, auto&) { p.num_threads = 0; }, "num_threads must be in 1..1024 (got 0)"},
        BadCall{"key_lengths", [](auto& p, auto& l) { p.key_lengths = l.data(); }, "key_lengths[1] = 9 is outside [0, kv_len = 8]"},
        BadCall{"q data", [](auto& p, auto&) { p.q.data = nullptr; }, "q.data is NULL"},
        BadCall{"v stride", [](auto& p, auto&) { p.v.strides[2] = -1; }, "v.strides[2] = -1 is negative"},
        BadCall{"k overflow", [](auto& p, auto&) { p.k.strides[0] = INT64_MAX / 2; }, "k's strides reach past the address space"},
        BadCall{"out data", [](auto& p, auto&) { p.out.data = nullptr; }, "out.data is NULL"}));

// Parameter names in test output say what was spoiled instead of dumping bytes.
void PrintTo(const BadCall& call, std::ostream* os) { *os << call.what; }

TEST(AttentionRejects, NullParams) {
  EXPECT_EQ(at_attention_forward(nullptr), AT_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(at_last_error()).find("params is NULL"), std::string::npos);
}

// A CUDA call on this machine: a build without CUDA says so; a CUDA build refuses the host pointers
// (or, without a GPU, reports the runtime's error). Never a crash, never AT_OK.
TEST(AttentionRejects, CudaCallWithHostMemory) {
  std::mt19937_64 rng(7);
  attention_test::Problem problem(attention_test::Shape{1, 1, 16, 16, 64}, rng);
  at_attention_params params = problem.params;
  params.device = AT_DEVICE_CUDA;
  params.dtype = AT_DTYPE_BF16;
  for (auto call : {at_attention_forward, at_attention_backward}) {
    at_clear_error();
    const at_status status = call(&params);
    const std::string message = at_last_error();
    if (at_cuda_compiled() == 0) {
      EXPECT_EQ(status, AT_ERR_UNSUPPORTED);
      EXPECT_NE(message.find("built without CUDA kernels"), std::string::npos) << message;
    } else {
      EXPECT_TRUE(status == AT_ERR_INVALID_ARGUMENT || status == AT_ERR_CUDA) << message;
      EXPECT_NE(message.find("q.data"), std::string::npos) << message;
    }
  }
}

TEST(AttentionRejects, BackwardWithoutGradientBuffers) {
  std::mt19937_64 rng(7);
  attention_test::Problem problem(attention_test::Shape{1, 1, 4, 4, 8}, rng);
  at_attention_params params = problem.params;
  params.dk.data = nullptr;
  EXPECT_EQ(at_attention_backward(&params), AT_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(at_last_error()).find("dk.data is NULL"), std::string::npos);
}

}  // namespace
