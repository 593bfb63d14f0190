// launch_forward for __nv_bfloat16: its own translation unit, built in parallel with the others.
#include "cuda/forward_launch.cuh"

namespace actortrain::cuda {

template cudaError_t launch_forward<__nv_bfloat16>(const AttentionArgs& args, int head_dim, bool causal);

}  // namespace actortrain::cuda
