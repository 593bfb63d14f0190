// The portable kernel set: kernels.inl with 16-byte vectors and 6-row micro-tiles.
// Compile flags for this file are set in native/CMakeLists.txt.
#define AT_KERNEL_NAMESPACE portable
#define AT_KERNEL_NAME "portable"
#define AT_VECTOR_BYTES 16
#define AT_MICRO_ROWS 6
#include "attention/kernels.inl"
