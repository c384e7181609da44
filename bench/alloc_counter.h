// Counts every global operator new in this process (alloc_counter.cc replaces them), so a
// workload can report heap allocations per append: read the counts before and after. The
// appending threads mark themselves, so that what they allocate (the append path) is counted
// apart from the allocations of a system's background threads (our spare-segment preparer,
// RocksDB's flush threads), which no append waits for.
#pragma once

#include <cstdint>

namespace bench {

std::uint64_t allocations();           // by every thread
std::uint64_t appender_allocations();  // by the threads that called mark_appender_thread()
void mark_appender_thread();

}  // namespace bench
