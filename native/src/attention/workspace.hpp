// Scratch memory of the kernels, lent from pools for as long as it is used. The callers are whichever .NET pool
// threads compute a step (they change from call to call), and every OpenMP team those callers start has workers of
// its own: memory kept per thread would grow with every thread that ever ran a kernel. Lent per use, it follows the
// uses running at once instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace actortrain::attention {

class AlignedBuffer;
class BufferPool;

// At least `count` floats, 64-byte aligned, from `pool` until this is destroyed. Grow-only buffers: steady-state
// uses allocate nothing.
class PooledFloats {
 public:
  PooledFloats(BufferPool& pool, int64_t count);
  ~PooledFloats();
  PooledFloats(const PooledFloats&) = delete;
  PooledFloats& operator=(const PooledFloats&) = delete;

  // Out of line, as every member here: the ISA-specific kernel translation units include this header, and an inline
  // function compiled into each with its own flags may be linked to the AVX-512 copy (see kernels.hpp).
  float* data() const;

 private:
  void give_back();

  BufferPool& pool_;
  std::unique_ptr<AlignedBuffer> buffer_;
  float* data_ = nullptr;
};

// The per-call buffers of a backward pass (delta, dq partials). A pool of their own: a tile's scratch taking one of
// these would grow it to a whole call's size, and the other way round.
class CallWorkspace : public PooledFloats {
 public:
  explicit CallWorkspace(int64_t count);
  ~CallWorkspace();

  // Workspaces waiting in the pool (for tests: as many as calls ever ran at once, not one per calling thread).
  static size_t idle_count();
};

// The scratch of one work item (a query tile, a key chunk), lent for the item.
class TileScratch : public PooledFloats {
 public:
  explicit TileScratch(int64_t count);
  ~TileScratch();

  // Scratch buffers waiting in the pool: as many as items ever ran at once.
  static size_t idle_count();
};

// Scratch buffers that hold memory now, in use or waiting in a pool (at_attention_scratch_buffers).
int64_t buffers_in_memory();

}  // namespace actortrain::attention
