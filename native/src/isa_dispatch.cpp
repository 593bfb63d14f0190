// Which ISA the kernels use: the CPU's best, optionally capped for the whole process so tests and
// benchmarks can exercise the slower paths on a fast machine.
#include "cpu_features.hpp"
#include "error.hpp"

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace {

constexpr const char* isa_names[] = {"scalar", "avx2", "avx512", "amx"};
constexpr int isa_count = sizeof isa_names / sizeof isa_names[0];

bool valid(int isa) { return isa >= 0 && isa < isa_count; }

bool equals_ignoring_case(const char* a, const char* b) {
  for (; *a && *b; ++a, ++b) {
    if (std::tolower(static_cast<unsigned char>(*a)) != std::tolower(static_cast<unsigned char>(*b))) return false;
  }
  return *a == *b;
}

int find_isa(const char* name) {
  for (int i = 0; i < isa_count; ++i) {
    if (equals_ignoring_case(name, isa_names[i])) return i;
  }
  return -1;
}

// ACTORTRAIN_ISA caps dispatch without a code change; an unknown value is ignored with no cap,
// since there is no caller to return an error to at load time (at_parse_isa reports it).
int initial_limit() {
  const char* env = std::getenv("ACTORTRAIN_ISA");
  const int parsed = env ? find_isa(env) : -1;
  return parsed >= 0 ? parsed : AT_ISA_AMX;
}

std::atomic<int>& limit() {
  static std::atomic<int> value{initial_limit()};
  return value;
}

}  // namespace

extern "C" {

at_isa at_active_isa(void) {
  const int best = at_cpu_isa();
  const int cap = limit().load(std::memory_order_relaxed);
  return static_cast<at_isa>(best < cap ? best : cap);
}

at_status at_set_isa_limit(at_isa isa) {
  const int value = static_cast<int>(isa);
  if (!valid(value)) {
    return actortrain::fail(AT_ERR_INVALID_ARGUMENT,
                            "at_set_isa_limit: limit %d is not an ISA level (expected 0=scalar .. 3=amx)", value);
  }
  limit().store(value, std::memory_order_relaxed);
  return AT_OK;
}

at_status at_parse_isa(const char* name, at_isa* out) {
  if (name == nullptr) return actortrain::fail(AT_ERR_INVALID_ARGUMENT, "at_parse_isa: name is NULL");
  if (out == nullptr) return actortrain::fail(AT_ERR_INVALID_ARGUMENT, "at_parse_isa: out is NULL");
  const int found = find_isa(name);
  if (found < 0) {
    return actortrain::fail(AT_ERR_INVALID_ARGUMENT,
                            "at_parse_isa: unknown ISA '%.64s' (expected scalar, avx2, avx512 or amx)", name);
  }
  *out = static_cast<at_isa>(found);
  return AT_OK;
}

const char* at_isa_name(at_isa isa) {
  const int value = static_cast<int>(isa);
  return valid(value) ? isa_names[value] : "unknown";
}

}  // extern "C"
