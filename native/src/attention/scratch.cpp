// Thread-local scratch memory for the kernels: grow-only, so steady-state calls allocate nothing.
#include "attention/problem.hpp"

#include <cstdlib>
#include <new>

namespace actortrain::attention {
namespace {

class AlignedBuffer {
 public:
  ~AlignedBuffer() { std::free(data_); }

  float* reserve(int64_t count) {
    if (count > capacity_) {
      std::free(data_);
      const size_t bytes = (static_cast<size_t>(count) * sizeof(float) + 63) / 64 * 64;
      data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (data_ == nullptr) {
        capacity_ = 0;
        throw std::bad_alloc();
      }
      capacity_ = count;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  int64_t capacity_ = 0;
};

thread_local AlignedBuffer tile_scratch;
thread_local AlignedBuffer call_workspace;

}  // namespace

float* scratch_floats(int64_t count) { return tile_scratch.reserve(count); }

// The per-call buffers of a backward pass (delta, dq partials), owned by the calling thread.
float* call_workspace_floats(int64_t count) { return call_workspace.reserve(count); }

}  // namespace actortrain::attention
