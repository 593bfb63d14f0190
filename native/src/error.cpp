#include "error.hpp"

#include <string>

namespace {
// One message per thread: concurrent failures on different threads must not overwrite each other.
thread_local std::string last_error;
}  // namespace

namespace actortrain {
void set_last_error(const char* message) { last_error.assign(message); }
}  // namespace actortrain

extern "C" {

const char* at_last_error(void) { return last_error.c_str(); }

void at_clear_error(void) { last_error.clear(); }

const char* at_status_name(at_status status) {
  switch (status) {
    case AT_OK: return "AT_OK";
    case AT_ERR_INVALID_ARGUMENT: return "AT_ERR_INVALID_ARGUMENT";
    case AT_ERR_UNSUPPORTED: return "AT_ERR_UNSUPPORTED";
    case AT_ERR_OUT_OF_MEMORY: return "AT_ERR_OUT_OF_MEMORY";
    case AT_ERR_CUDA: return "AT_ERR_CUDA";
    case AT_ERR_INTERNAL: return "AT_ERR_INTERNAL";
  }
  return "AT_UNKNOWN_STATUS";
}

}  // extern "C"
