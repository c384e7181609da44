// Every distinct post-crash state of one SimFs state under a crash policy, up to a bound (the
// basis of `walsim explore`, SPEC 4.4). The choices are those of power_loss.h, enumerated
// exhaustively instead of sampled:
//   drop-unsynced  one state
//   prefix         per file, how many of its pending ops survive (0..n)
//   reorder        per pending op, survive or not
//   torn           per pending write, per sector piece: lost or written (and, when
//                  atomic_sector = false, a third choice: only its first half written);
//                  other ops survive or not. A lost piece keeps its old content (torn_fill
//                  stale), or reads as zeros or junk: then a write lost whole (never issued)
//                  differs from one torn with every piece lost, and is one more choice. With
//                  torn_scope "sector" the fill also covers the rest of each sector a torn
//                  write did not finish (no more choices: the damage follows the pieces)
//   garbage-tail   per pending write: lost, written, or grown-as-zeros; other ops survive or not
//   + per pending dir op, survive or not (when lose_unsynced_dir_ops and not drop-unsynced).
// Plans are walked in a fixed order (an odometer over the choices, files and dirs by inode,
// ops in order); states that look the same to a reader (sim::durable_hash) are visited once.
#pragma once

#include <cstdint>
#include <functional>

#include "faults/power_loss.h"

namespace faults {

struct EnumerateOptions {
  CrashPolicy policy = CrashPolicy::kTorn;
  bool lose_unsynced_dir_ops = true;
  std::uint64_t max_states = 10'000;   // distinct states visited at most
  std::uint64_t max_plans = 1'000'000;  // plans tried at most (many plans may share a state)
  sim::TornFill torn_fill = sim::TornFill::kStale;  // torn only
  sim::TornScope torn_scope = sim::TornScope::kWrite;  // torn only
};

struct EnumerationResult {
  std::uint64_t plans = 0;     // survival plans tried
  std::uint64_t distinct = 0;  // distinct states visited
  bool complete = false;       // every plan was tried (the bound was not hit, nobody stopped)
};

// `visit` returns false to stop. It may be empty (count only). It also gets the state's
// sim::durable_hash, which the enumerator computes anyway to deduplicate.
using StateVisitor =
    std::function<bool(const sim::SimFsState&, const sim::CrashPlan&, std::uint64_t)>;

EnumerationResult enumerate_crash_states(const sim::SimFsState& state,
                                         const sim::DeviceModel& device,
                                         const EnumerateOptions& options,
                                         const StateVisitor& visit = {});

}  // namespace faults
