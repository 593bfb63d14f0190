// The few PTX instructions the attention kernels are built from, one inline wrapper each:
// 16-byte asynchronous copies into shared memory, ldmatrix, and the m16n8k16 tensor-core product
// with fp32 accumulation. Fragment layouts are PTX's ("Matrix fragments for mma.m16n8k16"): in a
// warp, lane = 4 * group + thread_in_group, and an accumulator tile of 16x8 holds
// rows {group, group + 8} x columns {2 * thread_in_group, + 1}.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

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

// The m16n8k16 product with fp32 accumulators for one element type, PTX's name of which is PTX.
#define AT_MMA_16816(PTX, d, a, b0, b1)                                                                     \
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32." PTX "." PTX ".f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, " \
               "{%8, %9}, {%0, %1, %2, %3};\n"                                                               \
               : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])                                             \
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1))

// bf16 or fp16: pairs packed into a 32-bit register (low element first), and the product.
template <typename T>
struct Element {
  static constexpr bool bf16 = std::is_same_v<T, __nv_bfloat16>;
  static_assert(bf16 || std::is_same_v<T, __half>, "the kernels take bf16 and fp16");
  using Pair = std::conditional_t<bf16, __nv_bfloat162, __half2>;

  __device__ __forceinline__ static uint32_t pack(float low, float high) {
    Pair pair;
    if constexpr (bf16) {
      pair = __floats2bfloat162_rn(low, high);
    } else {
      pair = __floats2half2_rn(low, high);
    }
    return *reinterpret_cast<uint32_t*>(&pair);
  }
  __device__ __forceinline__ static float2 unpack(uint32_t bits) {
    const Pair pair = *reinterpret_cast<Pair*>(&bits);
    if constexpr (bf16) {
      return __bfloat1622float2(pair);
    } else {
      return __half22float2(pair);
    }
  }
  // d += a * b on one 16x8x16 tile.
  __device__ __forceinline__ static void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    if constexpr (bf16) {
      AT_MMA_16816("bf16", d, a, b0, b1);
    } else {
      AT_MMA_16816("f16", d, a, b0, b1);
    }
  }
};

#undef AT_MMA_16816

// acc[m][2 i] and acc[m][2 i + 1] += a[m] x the two 8-column B operands that ldmatrix.x4 reads
// from address(i) (transposed or not), for i < N16: each B fragment read feeds all M tiles.
template <typename T, bool TRANSPOSED, int M, int N16, typename Address>
__device__ __forceinline__ void multiply_accumulate(float (&acc)[M][2 * N16][4], const uint32_t (&a)[M][4], Address address) {
#pragma unroll
  for (int i = 0; i < N16; ++i) {
    uint32_t b[4];
    if constexpr (TRANSPOSED) {
      load_matrix_x4_transposed(b, address(i));
    } else {
      load_matrix_x4(b, address(i));
    }
#pragma unroll
    for (int m = 0; m < M; ++m) {
      Element<T>::mma(acc[m][2 * i], a[m], b[0], b[1]);
      Element<T>::mma(acc[m][2 * i + 1], a[m], b[2], b[3]);
    }
  }
}

// The same for one 16-row tile.
template <typename T, bool TRANSPOSED, int N16, typename Address>
__device__ __forceinline__ void multiply_accumulate(float (&acc)[2 * N16][4], const uint32_t (&a)[4], Address address) {
  multiply_accumulate<T, TRANSPOSED, 1, N16>(*reinterpret_cast<float(*)[1][2 * N16][4]>(&acc),
                                             *reinterpret_cast<const uint32_t(*)[1][4]>(&a), address);
}

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
