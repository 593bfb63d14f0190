#include <actortrain/actortrain.h>
#include <gtest/gtest.h>

#include <string>

namespace {

// Each test leaves the process-wide cap as it found it (uncapped).
struct IsaDispatch : ::testing::Test {
  void TearDown() override { at_set_isa_limit(AT_ISA_AMX); }
};

}  // namespace

TEST_F(IsaDispatch, ActiveIsaNeverExceedsWhatTheCpuSupports) {
  ASSERT_EQ(at_set_isa_limit(AT_ISA_AMX), AT_OK);
  EXPECT_EQ(at_active_isa(), at_cpu_isa());
}

TEST_F(IsaDispatch, LimitCapsTheActiveIsa) {
  ASSERT_EQ(at_set_isa_limit(AT_ISA_SCALAR), AT_OK);
  EXPECT_EQ(at_active_isa(), AT_ISA_SCALAR);
  ASSERT_EQ(at_set_isa_limit(AT_ISA_AVX2), AT_OK);
  EXPECT_EQ(at_active_isa(), at_cpu_isa() < AT_ISA_AVX2 ? at_cpu_isa() : AT_ISA_AVX2);
}

TEST_F(IsaDispatch, OutOfRangeLimitIsRejectedAndLeavesTheCapUnchanged) {
  ASSERT_EQ(at_set_isa_limit(AT_ISA_SCALAR), AT_OK);
  EXPECT_EQ(at_set_isa_limit(static_cast<at_isa>(7)), AT_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(at_last_error()).find("limit 7"), std::string::npos) << at_last_error();
  EXPECT_EQ(at_active_isa(), AT_ISA_SCALAR);
}

TEST_F(IsaDispatch, NamesRoundTripThroughTheParser) {
  for (at_isa isa : {AT_ISA_SCALAR, AT_ISA_AVX2, AT_ISA_AVX512, AT_ISA_AMX}) {
    at_isa parsed = AT_ISA_SCALAR;
    ASSERT_EQ(at_parse_isa(at_isa_name(isa), &parsed), AT_OK) << at_last_error();
    EXPECT_EQ(parsed, isa);
  }
  at_isa upper = AT_ISA_SCALAR;
  EXPECT_EQ(at_parse_isa("AVX512", &upper), AT_OK);
  EXPECT_EQ(upper, AT_ISA_AVX512);
  EXPECT_STREQ(at_isa_name(static_cast<at_isa>(42)), "unknown");
}

TEST_F(IsaDispatch, UnknownNameIsRejectedWithTheNameInTheMessage) {
  at_isa parsed = AT_ISA_AVX2;
  EXPECT_EQ(at_parse_isa("sse9", &parsed), AT_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(at_last_error()).find("'sse9'"), std::string::npos) << at_last_error();
  EXPECT_EQ(parsed, AT_ISA_AVX2) << "a failed call must not write its output";
  EXPECT_EQ(at_parse_isa(nullptr, &parsed), AT_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(at_parse_isa("avx2", nullptr), AT_ERR_INVALID_ARGUMENT);
}
