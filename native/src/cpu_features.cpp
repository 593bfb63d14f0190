// Run-time CPU detection. Compile-time flags say nothing about the machine the library lands on:
// one build must pick AVX-512 on a Xeon, AVX2 on an EPYC and the portable path elsewhere.
// A feature counts only when the CPU has it AND the OS saves its register state (XCR0); AMX also
// needs the per-process permission Linux grants through arch_prctl.
#include "cpu_features.hpp"

#if defined(__x86_64__) || defined(__i386__)
#  include <cpuid.h>
#  define ACTORTRAIN_X86 1
#endif
#if defined(__linux__) && defined(__x86_64__)
#  include <sys/syscall.h>
#  include <unistd.h>
#endif

namespace actortrain {
namespace {

#if defined(ACTORTRAIN_X86)
constexpr uint32_t bit(unsigned n) { return 1u << n; }

uint64_t read_xcr0() {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

bool request_amx_permission() {
#  if defined(__linux__) && defined(__x86_64__)
  // Linux >= 5.16 keeps AMX tile data off until a process asks (ARCH_REQ_XCOMP_PERM, XTILEDATA).
  constexpr long arch_req_xcomp_perm = 0x1023;
  constexpr long xfeature_xtiledata = 18;
  return syscall(SYS_arch_prctl, arch_req_xcomp_perm, xfeature_xtiledata) == 0;
#  else
  return false;
#  endif
}

uint32_t detect() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  const bool osxsave = ecx & bit(27);
  const bool fma = ecx & bit(12);
  if (!osxsave) return 0;  // no XGETBV: the OS saves no vector state beyond SSE

  const uint64_t xcr0 = read_xcr0();
  const bool ymm_saved = (xcr0 & 0x6) == 0x6;                    // SSE + AVX state
  const bool zmm_saved = ymm_saved && (xcr0 & 0xE0) == 0xE0;     // opmask + ZMM halves
  const bool tiles_saved = (xcr0 & (3ull << 17)) == (3ull << 17); // TILECFG + TILEDATA

  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
  const uint32_t leaf7_ebx = ebx, leaf7_edx = edx;
  unsigned leaf7_1_eax = 0;
  if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) leaf7_1_eax = eax;

  uint32_t features = 0;
  if (ymm_saved) {
    if (leaf7_ebx & bit(5)) features |= AT_CPU_AVX2;
    if (fma) features |= AT_CPU_FMA;
  }
  if (zmm_saved) {
    if (leaf7_ebx & bit(16)) features |= AT_CPU_AVX512F;
    if (leaf7_ebx & bit(17)) features |= AT_CPU_AVX512DQ;
    if (leaf7_ebx & bit(30)) features |= AT_CPU_AVX512BW;
    if (leaf7_ebx & bit(31)) features |= AT_CPU_AVX512VL;
    if (leaf7_1_eax & bit(5)) features |= AT_CPU_AVX512_BF16;
  }
  const bool cpu_has_amx = (leaf7_edx & bit(24)) && (leaf7_edx & bit(22));
  if (tiles_saved && cpu_has_amx && request_amx_permission()) {
    features |= AT_CPU_AMX_TILE | AT_CPU_AMX_BF16;
  }
  return features;
}
#else
uint32_t detect() { return 0; }  // not x86: the portable kernels only
#endif

bool has_all(uint32_t features, uint32_t wanted) { return (features & wanted) == wanted; }

}  // namespace

uint32_t cpu_features() {
  static const uint32_t features = detect();
  return features;
}

at_isa isa_of(uint32_t features) {
  const uint32_t avx2 = AT_CPU_AVX2 | AT_CPU_FMA;
  const uint32_t avx512 = avx2 | AT_CPU_AVX512F | AT_CPU_AVX512BW | AT_CPU_AVX512VL | AT_CPU_AVX512DQ;
  const uint32_t amx = avx512 | AT_CPU_AMX_TILE | AT_CPU_AMX_BF16;
  if (has_all(features, amx)) return AT_ISA_AMX;
  if (has_all(features, avx512)) return AT_ISA_AVX512;
  if (has_all(features, avx2)) return AT_ISA_AVX2;
  return AT_ISA_SCALAR;
}

}  // namespace actortrain

extern "C" {

uint32_t at_cpu_features(void) { return actortrain::cpu_features(); }

at_isa at_cpu_isa(void) { return actortrain::isa_of(actortrain::cpu_features()); }

}  // extern "C"
