// Our own worker threads for the kernels. libtorch brings its OpenMP runtime into the process; a
// second one (ours) would compete with it, so the library never links OpenMP.
#pragma once

#include <cstdint>
#include <functional>

namespace actortrain {

// Runs body(item) for every item in [0, items) on up to `threads` threads, the caller's included,
// and returns when all are done. Items are handed out dynamically; calls from several threads at
// once each get helpers as workers are free (a call never waits for another call to finish).
void parallel_for(int64_t items, int threads, const std::function<void(int64_t)>& body);

}  // namespace actortrain
