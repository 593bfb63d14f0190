#include "thread_pool.hpp"

#include <actortrain/actortrain.h>

extern "C" {

// Set by CMake from ACTORTRAIN_CUDA and what check_language(CUDA) found.
int32_t at_cuda_compiled(void) { return ACTORTRAIN_WITH_CUDA ? 1 : 0; }

const char* at_parallel_backend(void) { return actortrain::parallel_backend(); }

}  // extern "C"
