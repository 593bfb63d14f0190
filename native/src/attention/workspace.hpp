// The per-call buffers of a backward pass (delta, dq partials), lent from a pool for the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace actortrain::attention {

class AlignedBuffer;

class CallWorkspace {
 public:
  // At least count floats, 64-byte aligned, until this is destroyed.
  explicit CallWorkspace(int64_t count);
  ~CallWorkspace();
  CallWorkspace(const CallWorkspace&) = delete;
  CallWorkspace& operator=(const CallWorkspace&) = delete;

  float* data() const { return data_; }

  // Workspaces waiting in the pool (for tests: as many as calls ever ran at once, not one per calling thread).
  static size_t idle_count();

 private:
  void give_back();

  std::unique_ptr<AlignedBuffer> buffer_;
  float* data_ = nullptr;
};

}  // namespace actortrain::attention
