// The few PTX instructions the attention kernels are built from, one inline wrapper each:
// 16-byte asynchronous copies into shared memory, ldmatrix, and the m16n8k16 tensor-core product
// with fp32 accumulation. Fragment layouts are PTX's ("Matrix fragments for mma.m16n8k16"): in a
// warp, lane = 4 * group + thread_in_group, and an accumulator tile of 16x8 holds
// rows {group, group + 8} x columns {2 * thread_in_group, + 1}.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

namespace actortrain::cuda {

__device__ __forceinline__ uint32_t shared_address(const void* pointer) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(pointer));
}

// Copies 16 bytes global -> shared without passing through registers; with `valid` false the 16
// bytes are zero-filled and the source is not read (rows past the end of a tensor).
__device__ __forceinline__ void copy_async_16(void* shared, const void* global, bool valid) {
  const int source_bytes = valid ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(shared_address(shared)), "l"(global),
               "r"(source_bytes)
               : "memory");
}

__device__ __forceinline__ void copy_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

__device__ __forceinline__ void copy_async_wait_all() { asm volatile("cp.async.wait_group 0;\n" ::: "memory"); }

// Four 8x8 b16 matrices; lanes 8i..8i+7 give the row addresses of matrix i, register i receives it.
// Addresses are 32-bit shared-window offsets: a lane's base plus a compile-time offset, which the
// assembler folds into the instruction (64-bit generic pointers cost two registers each, and
// unrolled loops keep dozens of them alive).
__device__ __forceinline__ void load_matrix_x4(uint32_t (&r)[4], uint32_t row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(row));
}

// The same, each matrix transposed on the way: lane gets stored[2 * (lane % 4) + {0, 1}][lane / 4].
__device__ __forceinline__ void load_matrix_x4_transposed(uint32_t (&r)[4], uint32_t row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(row));
}

template <typename T>
struct Element;

template <>
struct Element<__nv_bfloat16> {
  __device__ __forceinline__ static uint32_t pack(float low, float high) {
    __nv_bfloat162 pair = __floats2bfloat162_rn(low, high);
    return *reinterpret_cast<uint32_t*>(&pair);
  }
  __device__ __forceinline__ static float2 unpack(uint32_t bits) {
    __nv_bfloat162 pair = *reinterpret_cast<__nv_bfloat162*>(&bits);
    return __bfloat1622float2(pair);
  }
  // d += a * b on one 16x8x16 tile.
  __device__ __forceinline__ static void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
};

template <>
struct Element<__half> {
  __device__ __forceinline__ static uint32_t pack(float low, float high) {
    __half2 pair = __floats2half2_rn(low, high);
    return *reinterpret_cast<uint32_t*>(&pair);
  }
  __device__ __forceinline__ static float2 unpack(uint32_t bits) {
    __half2 pair = *reinterpret_cast<__half2*>(&bits);
    return __half22float2(pair);
  }
  __device__ __forceinline__ static void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
};

// Two adjacent 16x8 accumulator tiles (columns 16k..16k+15) are, packed, the A fragment of a
// 16x16 operand: this is how softmax probabilities feed the next product without shared memory.
template <typename T>
__device__ __forceinline__ void accumulators_as_operand(uint32_t (&a)[4], const float (&left)[4], const float (&right)[4]) {
  a[0] = Element<T>::pack(left[0], left[1]);
  a[1] = Element<T>::pack(left[2], left[3]);
  a[2] = Element<T>::pack(right[0], right[1]);
  a[3] = Element<T>::pack(right[2], right[3]);
}

// Max and sum over the four lanes of a group, which together hold one accumulator row.
__device__ __forceinline__ float group_max(float x) {
  x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
  return fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
}

__device__ __forceinline__ float group_sum(float x) {
  x += __shfl_xor_sync(0xffffffffu, x, 1);
  return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

}  // namespace actortrain::cuda
