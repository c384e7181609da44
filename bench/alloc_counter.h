// Counts every global operator new in this process (alloc_counter.cc replaces them), so a
// workload can report heap allocations per append: read allocations() before and after.
#pragma once

#include <cstdint>

namespace bench {

std::uint64_t allocations();

}  // namespace bench
