/*
 * actortrain.h - the one C ABI of libactortrain_native.
 *
 * Conventions every function follows:
 *  - Functions that can fail return an at_status. AT_OK is 0; on any other value the calling
 *    thread's last-error message (at_last_error) says what was wrong, naming the argument.
 *  - Arguments are validated before any work starts; a bad call returns an error, never crashes.
 *  - The last-error message is thread-local: a failure on one thread never clobbers another's.
 *  - No framework types cross this boundary: plain integers, pointers and structs only.
 *
 * Build: cmake -S . -B build && cmake --build build && ctest --test-dir build
 */
#ifndef ACTORTRAIN_ACTORTRAIN_H
#define ACTORTRAIN_ACTORTRAIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  if defined(ACTORTRAIN_BUILDING_LIBRARY)
#    define AT_API __declspec(dllexport)
#  else
#    define AT_API __declspec(dllimport)
#  endif
#else
#  define AT_API __attribute__((visibility("default")))
#endif

/* Bumped whenever a signature or struct layout changes; callers refuse a library whose ABI differs. */
#define ACTORTRAIN_ABI_VERSION 4

typedef enum at_status {
  AT_OK = 0,
  AT_ERR_INVALID_ARGUMENT = 1, /* a caller error: bad pointer, shape, stride or value */
  AT_ERR_UNSUPPORTED = 2,      /* valid request this build or this CPU cannot serve */
  AT_ERR_OUT_OF_MEMORY = 3,
  AT_ERR_CUDA = 4,             /* the CUDA runtime reported an error */
  AT_ERR_INTERNAL = 5          /* a bug in the library: the message says where */
} at_status;

/* Instruction-set levels the CPU kernels dispatch to, ordered: a higher level implies the lower. */
typedef enum at_isa {
  AT_ISA_SCALAR = 0, /* portable C++, any x86-64 or other CPU */
  AT_ISA_AVX2 = 1,   /* AVX2 + FMA */
  AT_ISA_AVX512 = 2, /* AVX-512 F/BW/VL/DQ */
  AT_ISA_AMX = 3     /* AVX-512 + AMX tiles with bf16, usable by this process */
} at_isa;

/* Individual CPU features, as a bit mask (at_cpu_features). */
enum {
  AT_CPU_AVX2 = 1u << 0,
  AT_CPU_FMA = 1u << 1,
  AT_CPU_AVX512F = 1u << 2,
  AT_CPU_AVX512BW = 1u << 3,
  AT_CPU_AVX512VL = 1u << 4,
  AT_CPU_AVX512DQ = 1u << 5,
  AT_CPU_AVX512_BF16 = 1u << 6,
  AT_CPU_AMX_TILE = 1u << 7,
  AT_CPU_AMX_BF16 = 1u << 8
};

/* Library version as "MAJOR.MINOR.PATCH"; static storage, never freed. */
AT_API const char* at_version(void);
/* ACTORTRAIN_ABI_VERSION the library was compiled with. */
AT_API int32_t at_abi_version(void);

/* Features this CPU has AND the operating system enables (XCR0, AMX permission), read at run time. */
AT_API uint32_t at_cpu_features(void);
/* The best ISA this CPU supports, from at_cpu_features. */
AT_API at_isa at_cpu_isa(void);
/* The ISA kernels dispatch to now: the lower of at_cpu_isa and the limit (at_set_isa_limit, or the
 * environment variable ACTORTRAIN_ISA=scalar|avx2|avx512|amx read at first use). */
AT_API at_isa at_active_isa(void);
/* Caps dispatch at `limit` for the whole process (for tests and benchmarks of slower paths). */
AT_API at_status at_set_isa_limit(at_isa limit);
/* Parses "scalar", "avx2", "avx512" or "amx" (case-insensitive). */
AT_API at_status at_parse_isa(const char* name, at_isa* out);
/* Lower-case name of an ISA level; "unknown" outside the enum. */
AT_API const char* at_isa_name(at_isa isa);

/* Who runs the kernels' parallel work: "own threads", or the path of the OpenMP runtime already in
 * the process (libtorch's libgomp) whose thread team is borrowed. ACTORTRAIN_THREADS=own forces
 * our own pool. Static storage. */
AT_API const char* at_parallel_backend(void);

/* 1 when this library was built with the CUDA toolchain (ACTORTRAIN_CUDA found nvcc), else 0:
 * then at_attention_forward/backward take AT_DEVICE_CUDA calls in BF16 and F16. */
AT_API int32_t at_cuda_compiled(void);

/* ---------------------------------------------------------------------------------------------
 * Fused attention (FlashAttention-2 style): out = softmax(scale * q k^T + mask) v, per (batch, head).
 *
 * Every tensor is addressed through element strides of (batch, head, token, dim), so (B,H,T,D),
 * (B,T,H,D) and other non-contiguous views are read and written in place, without copies.
 * Masks: with causal != 0, query i sees key j only when j <= i + causal_offset (0 aligns the
 * top-left corner, as torch's is_causal; kv_len - q_len aligns the bottom-right, for decoding
 * with a cache). With key_lengths, batch b sees only keys j < key_lengths[b] (padding).
 * A query that sees no key gets output 0 and lse -inf (never NaN).
 * Outputs must not overlap each other or the inputs.
 * ------------------------------------------------------------------------------------------- */

#define AT_ATTENTION_MAX_HEAD_DIM 256

/* F32 runs on the CPU kernels; BF16 and F16 (fp32 accumulation, fp32 lse) on the CUDA kernels. */
typedef enum at_dtype {
  AT_DTYPE_F32 = 0,
  AT_DTYPE_BF16 = 1,
  AT_DTYPE_F16 = 2
} at_dtype;

/* Where every pointer of a call lives. AT_DEVICE_CUDA: device pointers of the current device, work
 * queued on the default stream (no synchronisation: errors of the kernels themselves surface at the
 * caller's next synchronising call). key_lengths is then device memory too, and is not read on the
 * host: values outside [0, kv_len] are clamped, not reported. The CUDA kernels take head_dim 64 or
 * 128, strides[3] == 1 and 16-byte aligned rows; num_threads is checked but unused. Their backward
 * adds dq partial sums with atomics, so its dq is not bit-reproducible from run to run. */
typedef enum at_device {
  AT_DEVICE_CPU = 0,
  AT_DEVICE_CUDA = 1
} at_device;

/* A tensor of 4 dimensions (batch, head, token, dim) seen through element strides. */
typedef struct at_tensor4 {
  void* data;
  int64_t strides[4];
} at_tensor4;

typedef struct at_attention_params {
  at_dtype dtype;              /* element type of q, k, v, out, d_out, dq, dk, dv */
  at_device device;            /* where the tensors, lse and key_lengths are */
  int64_t batch;
  int64_t heads;
  int64_t q_len;
  int64_t kv_len;
  int64_t head_dim;            /* 1 .. AT_ATTENTION_MAX_HEAD_DIM */
  float scale;                 /* softmax scale, usually 1/sqrt(head_dim) */
  int32_t causal;              /* 0 or 1 */
  int64_t causal_offset;       /* see above; used only when causal */
  const int32_t* key_lengths;  /* NULL, or batch values in [0, kv_len] */
  int32_t num_threads;         /* threads to use, the caller's included: 1 .. 1024 */

  at_tensor4 q, k, v;          /* inputs: (B,H,q_len,D), (B,H,kv_len,D), (B,H,kv_len,D) */
  at_tensor4 out;              /* forward output, backward input: (B,H,q_len,D) */
  float* lse;                  /* log-sum-exp per query row (natural log), fp32 (B,H,q_len);
                                  forward output (may be NULL there), backward input */
  int64_t lse_strides[3];
  at_tensor4 d_out;            /* backward input: gradient of out */
  at_tensor4 dq, dk, dv;       /* backward outputs, shaped as q, k, v */
} at_attention_params;

/* sizeof(at_attention_params), so bindings in other languages can check their layout. */
AT_API int64_t at_attention_params_size(void);

/* Scratch buffers the attention kernels hold now, in use or kept for reuse. They are lent per call and per work item,
 * so they number as many as were ever in use at once, not one per thread that ever called (for leak checks). */
AT_API int64_t at_attention_scratch_buffers(void);

/* Writes out and (when lse != NULL) lse. */
AT_API at_status at_attention_forward(const at_attention_params* params);
/* Reads q, k, v, out, lse, d_out; writes dq, dk, dv. Deterministic for a given num_threads. */
AT_API at_status at_attention_backward(const at_attention_params* params);

/* Message of the last failing call on this thread; "" when none failed since at_clear_error.
 * Valid until the next call into the library from the same thread. */
AT_API const char* at_last_error(void);
AT_API void at_clear_error(void);
/* Stable upper-case name of a status ("AT_ERR_INVALID_ARGUMENT"); "AT_UNKNOWN_STATUS" otherwise. */
AT_API const char* at_status_name(at_status status);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ACTORTRAIN_ACTORTRAIN_H */
