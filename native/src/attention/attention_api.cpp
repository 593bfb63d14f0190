// at_attention_forward / at_attention_backward: validate every argument with a message naming it,
// fill the Problem, pick the kernel set for the active ISA, and spread the tiles over threads.
#include "attention/kernels.hpp"
#include "attention/workspace.hpp"
#include "error.hpp"
#include "thread_pool.hpp"
#if ACTORTRAIN_WITH_CUDA
#include "cuda/attention_cuda.hpp"
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace actortrain::attention {

namespace {

constexpr int64_t small_block = 64;
constexpr int64_t large_block = 128;

at_status check_tensor(const char* call, const char* name, const at_tensor4& t, const int64_t (&sizes)[4],
                       int64_t element_size) {
  if (t.data == nullptr) return fail(AT_ERR_INVALID_ARGUMENT, "%s: %s.data is NULL", call, name);
  int64_t last = 0;
  for (int i = 0; i < 4; ++i) {
    if (t.strides[i] < 0) {
      return fail(AT_ERR_INVALID_ARGUMENT, "%s: %s.strides[%d] = %lld is negative", call, name, i,
                  static_cast<long long>(t.strides[i]));
    }
    int64_t span = 0;
    if (__builtin_mul_overflow(sizes[i] - 1, t.strides[i], &span) || __builtin_add_overflow(last, span, &last)) {
      return fail(AT_ERR_INVALID_ARGUMENT, "%s: %s's strides reach past the address space", call, name);
    }
  }
  // The last element's address must not wrap around either.
  uintptr_t end = 0;
  if (last > INT64_MAX / element_size ||
      __builtin_add_overflow(reinterpret_cast<uintptr_t>(t.data), static_cast<uintptr_t>(last * element_size), &end)) {
    return fail(AT_ERR_INVALID_ARGUMENT, "%s: %s's strides reach past the address space", call, name);
  }
  return AT_OK;
}

int64_t element_size(const at_attention_params* p) { return p->dtype == AT_DTYPE_F32 ? 4 : 2; }

at_status check_common(const char* call, const at_attention_params* p) {
  if (p == nullptr) return fail(AT_ERR_INVALID_ARGUMENT, "%s: params is NULL", call);
  if (p->device != AT_DEVICE_CPU && p->device != AT_DEVICE_CUDA) {
    return fail(AT_ERR_INVALID_ARGUMENT, "%s: device must be AT_DEVICE_CPU or AT_DEVICE_CUDA (got %d)", call,
                static_cast<int>(p->device));
  }
  // The CUDA side names its own dtypes (cuda/attention_cuda.cu).
  if (p->device == AT_DEVICE_CPU && p->dtype != AT_DTYPE_F32) {
    return fail(AT_ERR_UNSUPPORTED, "%s: dtype %d is not supported on the CPU (only AT_DTYPE_F32)", call,
                static_cast<int>(p->dtype));
  }
  if (p->dtype != AT_DTYPE_F32 && p->dtype != AT_DTYPE_BF16 && p->dtype != AT_DTYPE_F16) {
    return fail(AT_ERR_UNSUPPORTED, "%s: dtype %d is not supported", call, static_cast<int>(p->dtype));
  }
  const struct { const char* name; int64_t value; } sizes[] = {
      {"batch", p->batch}, {"heads", p->heads}, {"q_len", p->q_len}, {"kv_len", p->kv_len}, {"head_dim", p->head_dim}};
  for (const auto& size : sizes) {
    if (size.value < 1) {
      return fail(AT_ERR_INVALID_ARGUMENT, "%s: %s must be at least 1 (got %lld)", call, size.name,
                  static_cast<long long>(size.value));
    }
  }
  if (p->head_dim > AT_ATTENTION_MAX_HEAD_DIM) {
    return fail(AT_ERR_INVALID_ARGUMENT, "%s: head_dim %lld is over the supported maximum %d", call,
                static_cast<long long>(p->head_dim), AT_ATTENTION_MAX_HEAD_DIM);
  }
  if (!std::isfinite(p->scale)) return fail(AT_ERR_INVALID_ARGUMENT, "%s: scale is not finite", call);
  if (p->causal != 0 && p->causal != 1) {
    return fail(AT_ERR_INVALID_ARGUMENT, "%s: causal must be 0 or 1 (got %d)", call, p->causal);
  }
  if (p->num_threads < 1 || p->num_threads > 1024) {
    return fail(AT_ERR_INVALID_ARGUMENT, "%s: num_threads must be in 1..1024 (got %d)", call, p->num_threads);
  }
  // CUDA key lengths are device memory: the kernels clamp them instead (actortrain.h).
  if (p->key_lengths != nullptr && p->device == AT_DEVICE_CPU) {
    for (int64_t b = 0; b < p->batch; ++b) {
      if (p->key_lengths[b] < 0 || p->key_lengths[b] > p->kv_len) {
        return fail(AT_ERR_INVALID_ARGUMENT, "%s: key_lengths[%lld] = %d is outside [0, kv_len = %lld]", call,
                    static_cast<long long>(b), p->key_lengths[b], static_cast<long long>(p->kv_len));
      }
    }
  }
  const int64_t q_sizes[4] = {p->batch, p->heads, p->q_len, p->head_dim};
  const int64_t kv_sizes[4] = {p->batch, p->heads, p->kv_len, p->head_dim};
  const int64_t size = element_size(p);
  if (at_status s = check_tensor(call, "q", p->q, q_sizes, size); s != AT_OK) return s;
  if (at_status s = check_tensor(call, "k", p->k, kv_sizes, size); s != AT_OK) return s;
  if (at_status s = check_tensor(call, "v", p->v, kv_sizes, size); s != AT_OK) return s;
  return check_tensor(call, "out", p->out, q_sizes, size);
}

at_status check_lse(const char* call, const at_attention_params* p) {
  if (p->lse == nullptr) return fail(AT_ERR_INVALID_ARGUMENT, "%s: lse is NULL", call);
  for (int i = 0; i < 3; ++i) {
    if (p->lse_strides[i] < 0) {
      return fail(AT_ERR_INVALID_ARGUMENT, "%s: lse_strides[%d] = %lld is negative", call, i,
                  static_cast<long long>(p->lse_strides[i]));
    }
  }
  return AT_OK;
}

#if ACTORTRAIN_WITH_CUDA
at_status forward_cuda(const at_attention_params* p) { return cuda::attention_forward(*p); }
at_status backward_cuda(const at_attention_params* p) { return cuda::attention_backward(*p); }
#else
at_status without_cuda(const char* call) {
  return fail(AT_ERR_UNSUPPORTED, "%s: AT_DEVICE_CUDA: this library was built without CUDA kernels (CMake found no "
              "CUDA compiler; at_cuda_compiled() is 0)", call);
}
at_status forward_cuda(const at_attention_params*) { return without_cuda("at_attention_forward"); }
at_status backward_cuda(const at_attention_params*) { return without_cuda("at_attention_backward"); }
#endif

View4 view(const at_tensor4& t) {
  return View4{static_cast<float*>(t.data), t.strides[0], t.strides[1], t.strides[2], t.strides[3]};
}

Problem problem_of(const at_attention_params* p) {
  Problem problem{};
  problem.batch = p->batch;
  problem.heads = p->heads;
  problem.q_len = p->q_len;
  problem.kv_len = p->kv_len;
  problem.head_dim = p->head_dim;
  problem.scale = p->scale;
  problem.causal = p->causal != 0;
  problem.causal_offset = p->causal_offset;
  problem.key_lengths = p->key_lengths;
  problem.q = view(p->q);
  problem.k = view(p->k);
  problem.v = view(p->v);
  problem.out = view(p->out);
  problem.d_out = view(p->d_out);
  problem.dq = view(p->dq);
  problem.dk = view(p->dk);
  problem.dv = view(p->dv);
  problem.lse = p->lse;
  problem.lse_sb = p->lse_strides[0];
  problem.lse_sh = p->lse_strides[1];
  problem.lse_st = p->lse_strides[2];
  // Long sequences amortise the per-tile softmax work over bigger tiles (measured ~+8% at T1024);
  // short ones keep more tiles for the threads and the causal diagonal cheap.
  const int64_t block = p->q_len >= 512 && p->kv_len >= 512 ? large_block : small_block;
  problem.block_q = block;
  problem.block_kv = block;
  return problem;
}

at_status forward(const at_attention_params* p) {
  const char* call = "at_attention_forward";
  if (at_status s = check_common(call, p); s != AT_OK) return s;
  if (p->lse != nullptr) {
    if (at_status s = check_lse(call, p); s != AT_OK) return s;
  }
  if (p->device == AT_DEVICE_CUDA) return forward_cuda(p);
  const Problem problem = problem_of(p);
  const KernelSet& kernels = kernels_for(at_active_isa());
  const int64_t pairs = problem.batch * problem.heads, q_tiles = problem.q_tiles();
  // Largest causal tiles (the last query tiles) first, so the tail of the schedule is short work.
  parallel_for(pairs * q_tiles, p->num_threads, [&](int64_t item) {
    const int64_t q_tile = q_tiles - 1 - item / pairs, pair = item % pairs;
    kernels.forward_tile(problem, pair / problem.heads, pair % problem.heads, q_tile);
  });
  return AT_OK;
}

at_status backward(const at_attention_params* p) {
  const char* call = "at_attention_backward";
  if (at_status s = check_common(call, p); s != AT_OK) return s;
  if (at_status s = check_lse(call, p); s != AT_OK) return s;
  const int64_t q_sizes[4] = {p->batch, p->heads, p->q_len, p->head_dim};
  const int64_t kv_sizes[4] = {p->batch, p->heads, p->kv_len, p->head_dim};
  const int64_t size = element_size(p);
  if (at_status s = check_tensor(call, "d_out", p->d_out, q_sizes, size); s != AT_OK) return s;
  if (at_status s = check_tensor(call, "dq", p->dq, q_sizes, size); s != AT_OK) return s;
  if (at_status s = check_tensor(call, "dk", p->dk, kv_sizes, size); s != AT_OK) return s;
  if (at_status s = check_tensor(call, "dv", p->dv, kv_sizes, size); s != AT_OK) return s;
  if (p->device == AT_DEVICE_CUDA) return backward_cuda(p);

  Problem problem = problem_of(p);
  const KernelSet& kernels = kernels_for(at_active_isa());
  const int64_t pairs = problem.batch * problem.heads, tiles = problem.kv_tiles();
  // Enough work items for every thread even when batch x heads is small: split the key tiles of a
  // (batch, head) into chunks. The chunk count depends only on the shape and the thread count, so
  // the summation order of dq, and hence the result, is fixed for a given num_threads.
  const int64_t wanted_items = 4 * static_cast<int64_t>(p->num_threads);
  problem.kv_chunks = pairs >= wanted_items ? 1 : std::min<int64_t>(tiles, (wanted_items + pairs - 1) / pairs);
  problem.q_len_padded = problem.q_tiles() * problem.block_q;

  const int64_t delta_floats = pairs * problem.q_len;
  CallWorkspace workspace(delta_floats + pairs * problem.kv_chunks * problem.head_dim * problem.q_len_padded);
  problem.delta = workspace.data();
  problem.dq_partials = workspace.data() + delta_floats;

  parallel_for(pairs, p->num_threads, [&](int64_t pair) {
    kernels.backward_delta(problem, pair / problem.heads, pair % problem.heads);
  });
  // Early key tiles see the most causal queries: hand out chunk 0 of every pair first.
  parallel_for(pairs * problem.kv_chunks, p->num_threads, [&](int64_t item) {
    const int64_t chunk = item / pairs, pair = item % pairs;
    kernels.backward_chunk(problem, pair / problem.heads, pair % problem.heads, chunk);
  });
  parallel_for(pairs, p->num_threads, [&](int64_t pair) {
    kernels.backward_reduce_dq(problem, pair / problem.heads, pair % problem.heads);
  });
  return AT_OK;
}

}  // namespace

const KernelSet& kernels_for(at_isa isa) {
#if defined(__x86_64__)
  if (isa >= AT_ISA_AVX512) return avx512::kernels;
  if (isa >= AT_ISA_AVX2) return avx2::kernels;
#else
  (void)isa;
#endif
  return portable::kernels;
}

}  // namespace actortrain::attention

extern "C" {

int64_t at_attention_params_size(void) { return static_cast<int64_t>(sizeof(at_attention_params)); }

int64_t at_attention_scratch_buffers(void) { return actortrain::attention::buffers_in_memory(); }

at_status at_attention_forward(const at_attention_params* params) {
  return actortrain::guarded("at_attention_forward", [&] { return actortrain::attention::forward(params); });
}

at_status at_attention_backward(const at_attention_params* params) {
  return actortrain::guarded("at_attention_backward", [&] { return actortrain::attention::backward(params); });
}

}  // extern "C"
