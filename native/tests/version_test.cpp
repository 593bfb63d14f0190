#include <actortrain/actortrain.h>
#include <gtest/gtest.h>

#include <string>

TEST(Version, MatchesTheCMakeProjectVersion) { EXPECT_EQ(std::string(at_version()), EXPECTED_VERSION); }

TEST(Version, AbiOfTheLibraryMatchesTheHeader) { EXPECT_EQ(at_abi_version(), ACTORTRAIN_ABI_VERSION); }

TEST(BuildInfo, CudaFlagMatchesWhatCMakeConfigured) { EXPECT_EQ(at_cuda_compiled(), EXPECTED_CUDA ? 1 : 0); }
