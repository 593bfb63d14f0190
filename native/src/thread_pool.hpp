// Worker threads for the kernels. The library never links OpenMP: libtorch brings its own runtime
// into the process and a second one would compete with it. Where libtorch's libgomp is loaded, the
// items run on its thread team (see thread_pool.cpp for why); elsewhere, or with
// ACTORTRAIN_THREADS=own, on a pool of our own.
#pragma once

#include <cstdint>
#include <functional>

namespace actortrain {

// Runs body(item) for every item in [0, items) on up to `threads` threads, the caller's included,
// and returns when all are done. Items are handed out dynamically; calls from several threads at
// once each get helpers as workers are free (a call never waits for another call to finish).
void parallel_for(int64_t items, int threads, const std::function<void(int64_t)>& body);

// "own threads", or the path of the OpenMP library whose team runs the items.
const char* parallel_backend();

}  // namespace actortrain
