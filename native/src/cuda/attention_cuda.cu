// AT_DEVICE_CUDA calls: the checks only the CUDA kernels need (dtype, head dim, layout, that the
// pointers are device memory of the current device), the backward workspace, and every CUDA
// error turned into AT_ERR_CUDA with the runtime's own words.
#include "cuda/attention_cuda.hpp"
#include "cuda/launch.cuh"
#include "error.hpp"

#include <climits>
#include <cstdint>

namespace actortrain::cuda {

namespace {

at_status cuda_failure(const char* call, const char* what, cudaError_t error) {
  return fail(error == cudaErrorMemoryAllocation ? AT_ERR_OUT_OF_MEMORY : AT_ERR_CUDA, "%s: %s: %s (%s)", call, what,
              cudaGetErrorString(error), cudaGetErrorName(error));
}

// Device memory of the current device (or managed memory); anything else would fault in a kernel.
at_status check_device_pointer(const char* call, const char* name, const void* pointer) {
  cudaPointerAttributes attributes{};
  if (cudaError_t error = cudaPointerGetAttributes(&attributes, pointer); error != cudaSuccess) {
    cudaGetLastError();  // not sticky, but leave nothing behind for the caller's next check
    return cuda_failure(call, name, error);
  }
  if (attributes.type != cudaMemoryTypeDevice && attributes.type != cudaMemoryTypeManaged) {
    return fail(AT_ERR_INVALID_ARGUMENT, "%s: %s is not CUDA device memory (AT_DEVICE_CUDA needs device pointers)",
                call, name);
  }
  int current = 0;
  if (cudaError_t error = cudaGetDevice(&current); error != cudaSuccess) return cuda_failure(call, "cudaGetDevice", error);
  if (attributes.type == cudaMemoryTypeDevice && attributes.device != current) {
    return fail(AT_ERR_INVALID_ARGUMENT, "%s: %s is memory of CUDA device %d, but the current device is %d", call, name,
                attributes.device, current);
  }
  return AT_OK;
}

// The kernels copy rows 16 bytes at a time: contiguous head dim, rows starting on 16 bytes.
at_status check_operand(const char* call, const char* name, const at_tensor4& t) {
  constexpr int64_t per_16_bytes = 8;  // two-byte elements
  if (t.strides[3] != 1) {
    return fail(AT_ERR_UNSUPPORTED, "%s: the CUDA kernels need %s.strides[3] == 1 (got %lld)", call, name,
                static_cast<long long>(t.strides[3]));
  }
  for (int i = 0; i < 3; ++i) {
    if (t.strides[i] % per_16_bytes != 0) {
      return fail(AT_ERR_UNSUPPORTED, "%s: the CUDA kernels need %s.strides[%d] to be a multiple of 8 elements (got %lld)",
                  call, name, i, static_cast<long long>(t.strides[i]));
    }
  }
  if (reinterpret_cast<uintptr_t>(t.data) % 16 != 0) {
    return fail(AT_ERR_UNSUPPORTED, "%s: the CUDA kernels need %s.data aligned to 16 bytes", call, name);
  }
  char what[32];
  std::snprintf(what, sizeof what, "%s.data", name);
  return check_device_pointer(call, what, t.data);
}

at_status check_call(const char* call, const at_attention_params& p, bool backward) {
  if (p.dtype != AT_DTYPE_BF16 && p.dtype != AT_DTYPE_F16) {
    return fail(AT_ERR_UNSUPPORTED, "%s: dtype %d is not supported on CUDA (AT_DTYPE_BF16 or AT_DTYPE_F16)", call,
                static_cast<int>(p.dtype));
  }
  if (p.head_dim != 64 && p.head_dim != 128) {
    return fail(AT_ERR_UNSUPPORTED, "%s: the CUDA kernels take head_dim 64 or 128 (got %lld)", call,
                static_cast<long long>(p.head_dim));
  }
  // Launch geometry: (batch x heads) blocks in x, token blocks in y (at most 65535).
  if (p.q_len > INT_MAX || p.kv_len > INT_MAX || p.batch * p.heads > INT_MAX || p.q_len > 65535LL * 64 ||
      p.kv_len > 65535LL * 64) {
    return fail(AT_ERR_UNSUPPORTED, "%s: the CUDA kernels take at most %lld tokens and %d (batch x heads)", call,
                65535LL * 64, INT_MAX);
  }
  const struct { const char* name; const at_tensor4* tensor; } operands[] = {
      {"q", &p.q}, {"k", &p.k}, {"v", &p.v}, {"out", &p.out}, {"d_out", &p.d_out}, {"dq", &p.dq}, {"dk", &p.dk},
      {"dv", &p.dv}};
  for (int i = 0; i < (backward ? 8 : 4); ++i) {
    if (at_status s = check_operand(call, operands[i].name, *operands[i].tensor); s != AT_OK) return s;
  }
  if (p.lse != nullptr) {
    if (at_status s = check_device_pointer(call, "lse", p.lse); s != AT_OK) return s;
  }
  if (p.key_lengths != nullptr) return check_device_pointer(call, "key_lengths", p.key_lengths);
  return AT_OK;
}

Operand operand(const at_tensor4& t) { return Operand{t.data, t.strides[0], t.strides[1], t.strides[2]}; }

AttentionArgs args_of(const at_attention_params& p) {
  AttentionArgs args{};
  args.q = operand(p.q);
  args.k = operand(p.k);
  args.v = operand(p.v);
  args.out = operand(p.out);
  args.d_out = operand(p.d_out);
  args.dq = operand(p.dq);
  args.dk = operand(p.dk);
  args.dv = operand(p.dv);
  args.lse = p.lse;
  args.lse_sb = p.lse_strides[0];
  args.lse_sh = p.lse_strides[1];
  args.lse_st = p.lse_strides[2];
  args.batch = static_cast<int>(p.batch);
  args.heads = static_cast<int>(p.heads);
  args.q_len = static_cast<int>(p.q_len);
  args.kv_len = static_cast<int>(p.kv_len);
  args.scale = p.scale;
  // Offsets past either end mean "sees every key" or "sees none"; clamped, they fit an int.
  const int64_t offset = p.causal != 0 ? p.causal_offset : 0;
  args.causal_offset = offset < -p.q_len - 1 ? -p.q_len - 1 : (offset > p.kv_len ? p.kv_len : offset);
  args.key_lengths = p.key_lengths;
  return args;
}

}  // namespace

at_status attention_forward(const at_attention_params& p) {
  const char* call = "at_attention_forward";
  if (at_status s = check_call(call, p, false); s != AT_OK) return s;
  const AttentionArgs args = args_of(p);
  const int head_dim = static_cast<int>(p.head_dim);
  const cudaError_t error = p.dtype == AT_DTYPE_BF16 ? launch_forward<__nv_bfloat16>(args, head_dim, p.causal != 0)
                                                     : launch_forward<__half>(args, head_dim, p.causal != 0);
  return error == cudaSuccess ? AT_OK : cuda_failure(call, "forward kernel launch", error);
}

at_status attention_backward(const at_attention_params& p) {
  const char* call = "at_attention_backward";
  if (at_status s = check_call(call, p, true); s != AT_OK) return s;
  AttentionArgs args = args_of(p);
  // delta (one float a query row) and the fp32 dq sums, from the stream-ordered pool: after the
  // first call this costs no cudaMalloc and no synchronisation.
  const int64_t rows = p.batch * p.heads * p.q_len;
  const size_t bytes = static_cast<size_t>(rows * (p.head_dim + 1)) * sizeof(float);
  void* workspace = nullptr;
  cudaError_t allocated = cudaMallocAsync(&workspace, bytes, 0);
  // A device without stream-ordered memory pools: plain cudaMalloc, and cudaFree, which waits for the kernels.
  const bool pooled = allocated != cudaErrorNotSupported;
  if (!pooled) {
    cudaGetLastError();
    allocated = cudaMalloc(&workspace, bytes);
  }
  if (allocated != cudaSuccess) return cuda_failure(call, "backward workspace", allocated);
  args.delta = static_cast<float*>(workspace);
  args.dq_accum = args.delta + rows;
  const int head_dim = static_cast<int>(p.head_dim);
  const cudaError_t error = p.dtype == AT_DTYPE_BF16 ? launch_backward<__nv_bfloat16>(args, head_dim, p.causal != 0)
                                                     : launch_backward<__half>(args, head_dim, p.causal != 0);
  const cudaError_t freed = pooled ? cudaFreeAsync(workspace, 0) : cudaFree(workspace);
  if (error != cudaSuccess) return cuda_failure(call, "backward kernel launch", error);
  return freed == cudaSuccess ? AT_OK : cuda_failure(call, "freeing the backward workspace", freed);
}

}  // namespace actortrain::cuda
