// Our CPUID reading is checked against two independent views of the same CPU: GCC's own run-time
// detection (__builtin_cpu_supports) and, on Linux, the flags the kernel reports in /proc/cpuinfo.
#include <actortrain/actortrain.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

bool has(uint32_t feature) { return (at_cpu_features() & feature) != 0; }

std::set<std::string> proc_cpuinfo_flags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) == 0) {
      std::istringstream words(line.substr(line.find(':') + 1));
      std::set<std::string> flags;
      for (std::string w; words >> w;) flags.insert(w);
      return flags;
    }
  }
  return {};
}

}  // namespace

#if defined(__x86_64__)
TEST(CpuFeatures, AgreeWithTheCompilersRuntimeDetection) {
  __builtin_cpu_init();
  EXPECT_EQ(has(AT_CPU_AVX2), __builtin_cpu_supports("avx2") != 0);
  EXPECT_EQ(has(AT_CPU_FMA), __builtin_cpu_supports("fma") != 0);
  EXPECT_EQ(has(AT_CPU_AVX512F), __builtin_cpu_supports("avx512f") != 0);
  EXPECT_EQ(has(AT_CPU_AVX512BW), __builtin_cpu_supports("avx512bw") != 0);
  EXPECT_EQ(has(AT_CPU_AVX512VL), __builtin_cpu_supports("avx512vl") != 0);
  EXPECT_EQ(has(AT_CPU_AVX512DQ), __builtin_cpu_supports("avx512dq") != 0);
}
#endif

#if defined(__linux__) && defined(__x86_64__)
TEST(CpuFeatures, AgreeWithTheKernelsCpuinfoFlags) {
  const auto flags = proc_cpuinfo_flags();
  ASSERT_FALSE(flags.empty()) << "/proc/cpuinfo has no flags line";
  EXPECT_EQ(has(AT_CPU_AVX2), flags.count("avx2") == 1);
  EXPECT_EQ(has(AT_CPU_AVX512F), flags.count("avx512f") == 1);
  EXPECT_EQ(has(AT_CPU_AVX512_BF16), flags.count("avx512_bf16") == 1);
  // The kernel lists amx_tile when the CPU has it; we additionally need this process's permission.
  if (has(AT_CPU_AMX_TILE)) EXPECT_EQ(flags.count("amx_tile"), 1u);
}
#endif

TEST(CpuFeatures, IsaIsTheHighestLevelWhoseFeaturesAreAllPresent) {
  const at_isa isa = at_cpu_isa();
  const bool avx2 = has(AT_CPU_AVX2) && has(AT_CPU_FMA);
  const bool avx512 = avx2 && has(AT_CPU_AVX512F) && has(AT_CPU_AVX512BW) && has(AT_CPU_AVX512VL) &&
                      has(AT_CPU_AVX512DQ);
  const bool amx = avx512 && has(AT_CPU_AMX_TILE) && has(AT_CPU_AMX_BF16);
  const at_isa expected = amx ? AT_ISA_AMX : avx512 ? AT_ISA_AVX512 : avx2 ? AT_ISA_AVX2 : AT_ISA_SCALAR;
  EXPECT_EQ(isa, expected);
}

TEST(CpuFeatures, DetectionIsStableAcrossCalls) { EXPECT_EQ(at_cpu_features(), at_cpu_features()); }
