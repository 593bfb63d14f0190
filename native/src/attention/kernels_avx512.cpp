// The avx512 kernel set: kernels.inl with 64-byte vectors and 12-row micro-tiles.
// Compile flags for this file are set in native/CMakeLists.txt.
#define AT_KERNEL_NAMESPACE avx512
#define AT_KERNEL_NAME "avx512"
#define AT_VECTOR_BYTES 64
#define AT_MICRO_ROWS 12
#include "attention/kernels.inl"
