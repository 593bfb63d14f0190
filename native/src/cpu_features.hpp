#pragma once

#include <actortrain/actortrain.h>

#include <cstdint>

namespace actortrain {

// Reads CPUID and XCR0 once per process; later calls return the cached mask.
uint32_t cpu_features();

// The best dispatch level a feature mask allows.
at_isa isa_of(uint32_t features);

}  // namespace actortrain
