// The avx2 kernel set: kernels.inl with 32-byte vectors and 6-row micro-tiles.
// Compile flags for this file are set in native/CMakeLists.txt.
#define AT_KERNEL_NAMESPACE avx2
#define AT_KERNEL_NAME "avx2"
#define AT_VECTOR_BYTES 32
#define AT_MICRO_ROWS 6
#include "attention/kernels.inl"
