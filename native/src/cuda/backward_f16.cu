// launch_backward for __half: its own translation unit, built in parallel with the others.
#include "cuda/backward_launch.cuh"

namespace actortrain::cuda {

template cudaError_t launch_backward<__half>(const AttentionArgs& args, int head_dim, bool causal);

}  // namespace actortrain::cuda
