// The CUDA half of at_attention_forward / at_attention_backward, compiled only when CMake found a
// CUDA compiler. attention_api.cpp calls it for AT_DEVICE_CUDA after the checks every device
// shares (sizes, scale, causal flag, thread count, strides that stay inside the address space).
#pragma once

#include <actortrain/actortrain.h>

namespace actortrain::cuda {

at_status attention_forward(const at_attention_params& params);
at_status attention_backward(const at_attention_params& params);

}  // namespace actortrain::cuda
