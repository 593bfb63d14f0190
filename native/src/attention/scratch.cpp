// Scratch memory for the kernels: grow-only, so steady-state calls allocate nothing.
#include "attention/problem.hpp"
#include "attention/workspace.hpp"

#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace actortrain::attention {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
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

namespace {

// Tile scratch belongs to the worker threads of the pool, which live as long as the process: one each.
thread_local AlignedBuffer tile_scratch;

// Backward workspaces, shared by every calling thread. The caller is whichever .NET pool thread computes the step,
// and it changes from call to call: a buffer per calling thread kept one workspace (25 MB for gpt2-124m at micro-batch
// 8) alive per thread that ever called. The pool holds as many as calls ever ran at once.
std::mutex pool_mutex;
std::vector<std::unique_ptr<AlignedBuffer>> idle_workspaces;

}  // namespace

float* scratch_floats(int64_t count) { return tile_scratch.reserve(count); }

CallWorkspace::CallWorkspace(int64_t count) {
  {
    std::lock_guard<std::mutex> lock(pool_mutex);
    if (!idle_workspaces.empty()) {
      buffer_ = std::move(idle_workspaces.back());
      idle_workspaces.pop_back();
    }
  }
  if (!buffer_) buffer_ = std::make_unique<AlignedBuffer>();
  try {
    data_ = buffer_->reserve(count);
  } catch (...) {
    give_back();
    throw;
  }
}

CallWorkspace::~CallWorkspace() { give_back(); }

void CallWorkspace::give_back() {
  if (!buffer_) return;
  std::lock_guard<std::mutex> lock(pool_mutex);
  idle_workspaces.push_back(std::move(buffer_));
}

size_t CallWorkspace::idle_count() {
  std::lock_guard<std::mutex> lock(pool_mutex);
  return idle_workspaces.size();
}

}  // namespace actortrain::attention
