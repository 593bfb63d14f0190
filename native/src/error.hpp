// The error convention inside the library: set a thread-local message and return a status.
// Exported functions wrap their bodies in guarded() so no C++ exception ever crosses the C ABI.
#pragma once

#include <actortrain/actortrain.h>

#include <cstdio>
#include <exception>
#include <new>
#include <utility>

namespace actortrain {

void set_last_error(const char* message);

// printf-style so messages can name the argument and its value without building strings by hand.
template <typename... Args>
at_status fail(at_status status, const char* format, Args... args) {
  char message[512];
  if constexpr (sizeof...(Args) == 0) {
    std::snprintf(message, sizeof message, "%s", format);
  } else {
    std::snprintf(message, sizeof message, format, args...);
  }
  set_last_error(message);
  return status;
}

// Runs `body` (returning at_status), turning escaped exceptions into statuses with messages.
template <typename Body>
at_status guarded(const char* function, Body&& body) noexcept {
  try {
    return std::forward<Body>(body)();
  } catch (const std::bad_alloc&) {
    return fail(AT_ERR_OUT_OF_MEMORY, "%s: out of memory", function);
  } catch (const std::exception& e) {
    return fail(AT_ERR_INTERNAL, "%s: internal error: %s", function, e.what());
  } catch (...) {
    return fail(AT_ERR_INTERNAL, "%s: internal error (unknown exception)", function);
  }
}

}  // namespace actortrain
