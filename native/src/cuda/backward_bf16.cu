// launch_backward for __nv_bfloat16: its own translation unit, built in parallel with the others.
#include "cuda/backward_launch.cuh"

namespace actortrain::cuda {

template cudaError_t launch_backward<__nv_bfloat16>(const AttentionArgs& args, int head_dim, bool causal);

}  // namespace actortrain::cuda
