// The fast kernels, one set per instruction set. Each set is compiled from kernels.inl in its own
// translation unit with its own target flags, inside its own namespace: a template or inline
// function shared between sets would be merged by the linker, and an AVX-512 copy could then run
// on a CPU without AVX-512. For the same reason kernels.inl uses no standard-library templates.
#pragma once

#include "attention/problem.hpp"

#include <actortrain/actortrain.h>

namespace actortrain::attention {

struct KernelSet {
  const char* name;
  int64_t vector_width;  // floats per vector register
  // One query tile of one (batch, head): writes out and lse rows.
  void (*forward_tile)(const Problem&, int64_t b, int64_t h, int64_t q_tile);
  // delta[b, h, :] = rowsum(d_out * out) for one (batch, head).
  void (*backward_delta)(const Problem&, int64_t b, int64_t h);
  // One chunk of key tiles of one (batch, head): writes dk, dv rows and the chunk's dq partial.
  void (*backward_chunk)(const Problem&, int64_t b, int64_t h, int64_t chunk);
  // dq[b, h] = scale * sum over chunks of the dq partials, in chunk order.
  void (*backward_reduce_dq)(const Problem&, int64_t b, int64_t h);
};

namespace portable { extern const KernelSet kernels; }
namespace avx2 { extern const KernelSet kernels; }
namespace avx512 { extern const KernelSet kernels; }

// The set for an ISA level (AMX uses the AVX-512 set until it has its own).
const KernelSet& kernels_for(at_isa isa);

}  // namespace actortrain::attention
