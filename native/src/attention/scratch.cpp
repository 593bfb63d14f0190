// Scratch memory for the kernels (see workspace.hpp): grow-only buffers lent from pools.
#include "attention/problem.hpp"
#include "attention/workspace.hpp"

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace actortrain::attention {

namespace {

// Buffers that hold memory, in use or idle: what at_attention_scratch_buffers reports.
std::atomic<int64_t> buffers_holding_memory{0};

}  // namespace

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() {
    if (data_ != nullptr) buffers_holding_memory.fetch_sub(1, std::memory_order_relaxed);
    std::free(data_);
  }

  float* reserve(int64_t count) {
    if (count > capacity_) {
      if (data_ == nullptr) buffers_holding_memory.fetch_add(1, std::memory_order_relaxed);
      std::free(data_);
      const size_t bytes = (static_cast<size_t>(count) * sizeof(float) + 63) / 64 * 64;
      data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (data_ == nullptr) {
        capacity_ = 0;
        buffers_holding_memory.fetch_sub(1, std::memory_order_relaxed);
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

class BufferPool {
 public:
  std::unique_ptr<AlignedBuffer> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.empty()) return std::make_unique<AlignedBuffer>();
    auto buffer = std::move(idle_.back());
    idle_.pop_back();
    return buffer;
  }

  void give(std::unique_ptr<AlignedBuffer> buffer) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(buffer));
  }

  size_t idle_count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return idle_.size();
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<AlignedBuffer>> idle_;
};

namespace {

// Leaked on purpose, as the thread pool: a kernel may still run on a detached worker while statics are destroyed.
BufferPool& workspaces() {
  static BufferPool* pool = new BufferPool();
  return *pool;
}

BufferPool& tile_scratch() {
  static BufferPool* pool = new BufferPool();
  return *pool;
}

}  // namespace

PooledFloats::PooledFloats(BufferPool& pool, int64_t count) : pool_(pool), buffer_(pool.take()) {
  try {
    data_ = buffer_->reserve(count);
  } catch (...) {
    give_back();
    throw;
  }
}

PooledFloats::~PooledFloats() { give_back(); }

float* PooledFloats::data() const { return data_; }

void PooledFloats::give_back() {
  if (buffer_) pool_.give(std::move(buffer_));
}

CallWorkspace::CallWorkspace(int64_t count) : PooledFloats(workspaces(), count) {}

CallWorkspace::~CallWorkspace() = default;

size_t CallWorkspace::idle_count() { return workspaces().idle_count(); }

TileScratch::TileScratch(int64_t count) : PooledFloats(tile_scratch(), count) {}

TileScratch::~TileScratch() = default;

size_t TileScratch::idle_count() { return tile_scratch().idle_count(); }

int64_t buffers_in_memory() { return buffers_holding_memory.load(std::memory_order_relaxed); }

}  // namespace actortrain::attention
