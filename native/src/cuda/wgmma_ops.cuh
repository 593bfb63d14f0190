// Hopper's warpgroup matrix product (wgmma, sm_90a only), the shapes the wgmma forward kernel uses:
// m64nNk16 with fp32 accumulators, N = 64 or 128, A and B from shared memory (both K-major), or A
// from registers and B from shared memory read N-major (transposed). Inline assembly must name
// every accumulator register, hence the macros; d[i][0..3] is the PTX fragment's d[4i..4i+3], the
// same per-warp layout as four mma.sync m16n8 accumulator tiles.
// Also: the shared-memory matrix descriptor and the fences that order wgmma with other accesses.
#pragma once

#include <cstdint>

namespace actortrain::cuda {

// A shared-memory matrix descriptor without swizzling: the matrix is 8x8 "core matrices" of 128
// contiguous bytes; `leading` and `stride` are the byte distances between neighbouring core
// matrices along the leading and the strided dimension (PTX: matrix-descriptor-format).
__device__ __forceinline__ uint64_t matrix_descriptor(uint32_t address, uint32_t leading, uint32_t stride) {
  return static_cast<uint64_t>((address & 0x3FFFF) >> 4) | (static_cast<uint64_t>(leading >> 4) << 16) |
         (static_cast<uint64_t>(stride >> 4) << 32);
}

// The descriptor of the same layout `bytes` further on (bytes a multiple of 16, within the window).
__device__ __forceinline__ uint64_t advanced(uint64_t descriptor, uint32_t bytes) { return descriptor + (bytes >> 4); }

// Before the first wgmma that reads registers (accumulators, A fragments) written by other code.
__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void wgmma_wait_all() { asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory"); }
// Shared memory written through the generic proxy (cp.async, st.shared) before wgmma, which reads
// through the async proxy, reads it: each writing thread fences before the barrier.
__device__ __forceinline__ void fence_async_proxy() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }

// The operand lists inline assembly needs, written once: N/2 accumulators a thread, as %0.. in
// the instruction and as "+f" bindings of d[i][0..3].
#define AT_WGMMA_D8(i) "+f"(d[i][0]), "+f"(d[i][1]), "+f"(d[i][2]), "+f"(d[i][3])
#define AT_WGMMA_D64 AT_WGMMA_D8(0), AT_WGMMA_D8(1), AT_WGMMA_D8(2), AT_WGMMA_D8(3), AT_WGMMA_D8(4), AT_WGMMA_D8(5), \
                     AT_WGMMA_D8(6), AT_WGMMA_D8(7)
#define AT_WGMMA_D128 AT_WGMMA_D64, AT_WGMMA_D8(8), AT_WGMMA_D8(9), AT_WGMMA_D8(10), AT_WGMMA_D8(11), AT_WGMMA_D8(12), \
                      AT_WGMMA_D8(13), AT_WGMMA_D8(14), AT_WGMMA_D8(15)
#define AT_WGMMA_REGISTERS64 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}"
#define AT_WGMMA_REGISTERS128 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}"

// One shape for one element type. The operands after the accumulators are numbered from FIRST:
// a descriptor (or four A registers), the B descriptor, then 1 for the accumulate predicate.
// shared_shared: d += A B^T, A (64 x 16) and B (N x 16) K-major in shared memory.
// registers_shared_transposed: d += A B, A (64 x 16) in registers (the mma.sync A-fragment layout
// per warp), B (16 x N) N-major in shared memory.
#define AT_WGMMA_SHAPE(TYPE, PTX, N, A, B, ONE, A0, A1, A2, A3, BT, ONET)                                          \
  template <>                                                                                                     \
  struct Wgmma<TYPE, N> {                                                                                         \
    __device__ __forceinline__ static void shared_shared(float (&d)[N / 8][4], uint64_t a, uint64_t b) {          \
      asm volatile("{\n.reg .pred accumulate;\nsetp.ne.b32 accumulate, %" ONE ", 0;\n"                          \
                   "wgmma.mma_async.sync.aligned.m64n" #N "k16.f32." PTX "." PTX " " AT_WGMMA_REGISTERS##N        \
                   ", %" A ", %" B ", accumulate, 1, 1, 0, 0;\n}\n"                                                 \
                   : AT_WGMMA_D##N                                                                                \
                   : "l"(a), "l"(b), "r"(1));                                                                     \
    }                                                                                                             \
    __device__ __forceinline__ static void registers_shared_transposed(float (&d)[N / 8][4], const uint32_t (&a)[4], \
                                                                        uint64_t b) {                             \
      asm volatile("{\n.reg .pred accumulate;\nsetp.ne.b32 accumulate, %" ONET ", 0;\n"                         \
                   "wgmma.mma_async.sync.aligned.m64n" #N "k16.f32." PTX "." PTX " " AT_WGMMA_REGISTERS##N        \
                   ", {%" A0 ", %" A1 ", %" A2 ", %" A3 "}, %" BT ", accumulate, 1, 1, 1;\n}\n"                      \
                   : AT_WGMMA_D##N                                                                                \
                   : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b), "r"(1));                                 \
    }                                                                                                             \
  };

template <typename T, int N>
struct Wgmma;

AT_WGMMA_SHAPE(__nv_bfloat16, "bf16", 64, "32", "33", "34", "32", "33", "34", "35", "36", "37")
AT_WGMMA_SHAPE(__nv_bfloat16, "bf16", 128, "64", "65", "66", "64", "65", "66", "67", "68", "69")
AT_WGMMA_SHAPE(__half, "f16", 64, "32", "33", "34", "32", "33", "34", "35", "36", "37")
AT_WGMMA_SHAPE(__half, "f16", 128, "64", "65", "66", "64", "65", "66", "67", "68", "69")

#undef AT_WGMMA_SHAPE
#undef AT_WGMMA_REGISTERS128
#undef AT_WGMMA_REGISTERS64
#undef AT_WGMMA_D128
#undef AT_WGMMA_D64
#undef AT_WGMMA_D8

}  // namespace actortrain::cuda
