// Bug zoo switches (docs/bug-zoo.md): named, deliberately wrong variants of WAL decisions that
// the harness must catch. Each is a libfiu point "wal/mutant/<name>"; test builds (FIU_ENABLE)
// compile them in, off unless a test enables one (sim/harness/mutants.h); release builds
// compile WAL_MUTANT(...) to a constant false, so the wrong branch is dead code and vanishes.
//
// A point is switched on with wal::mutant::enable, never with fiu_enable alone: WAL_MUTANT asks
// libfiu only while some point is enabled. libfiu's check takes a read-write lock and hashes
// the name, and the simulator passes dozens of these points per append with none on (4-5% of a
// seeded run in bench/sim_run_bench).
#pragma once

#ifdef FIU_ENABLE
#include <atomic>

#include <fiu-control.h>
#include <fiu.h>

namespace wal::mutant {

// How many points enable() switched on and disable() has not switched off yet.
inline std::atomic<int> enabled_points{0};

// fiu_enable(point, 1, nullptr, 0), counted. Returns fiu_enable's result (0: enabled).
inline int enable(const char* point) {
  const int result = fiu_enable(point, 1, nullptr, 0);
  if (result == 0) enabled_points.fetch_add(1, std::memory_order_relaxed);
  return result;
}

inline void disable(const char* point) {
  if (fiu_disable(point) == 0) enabled_points.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace wal::mutant

#define WAL_MUTANT(name)                                                 \
  (::wal::mutant::enabled_points.load(std::memory_order_relaxed) != 0 && \
   fiu_fail("wal/mutant/" name) != 0)
#else
namespace wal::mutant {
inline int enable(const char*) { return -1; }  // no fault points in this build
inline void disable(const char*) {}
}  // namespace wal::mutant
#define WAL_MUTANT(name) false
#endif
