// launch_forward for __half: its own translation unit, built in parallel with the others.
#include "cuda/forward_launch.cuh"

namespace actortrain::cuda {

template cudaError_t launch_forward<__half>(const AttentionArgs& args, int head_dim, bool causal);

}  // namespace actortrain::cuda
