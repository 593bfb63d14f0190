#include <actortrain/actortrain.h>

extern "C" {

const char* at_version(void) { return ACTORTRAIN_VERSION_STRING; }

int32_t at_abi_version(void) { return ACTORTRAIN_ABI_VERSION; }

}  // extern "C"
