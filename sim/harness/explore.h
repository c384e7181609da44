// Exhaustive bounded exploration (SPEC 4.4, `walsim explore`): for one workload (the seed's, or
// the config's script), every crash point x every distinct survival outcome, each recovered and
// checked with the same oracle and invariants as a run.
//
// Crash points are the fs-op boundaries (crash_at.h `fs-op:N`, N = 0, 1, 2, ... until the
// workload finishes before the Nth Fs operation; the last one is the crash after the last op):
// every persistence point is one of them, and so is every moment inside an append, a rotation or
// a reopen. At each, faults::enumerate_crash_states walks the survival outcomes of the pending
// writes and dir ops under crash.policy (deduplicated by what a reader would see). crash.count and
// media faults do not apply here; [faults] during the workload do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/harness/invariants.h"
#include "sim/harness/run_config.h"

namespace harness {

struct ExploreFailure {
  CrashAt crash;             // fs-op:N
  std::uint64_t state = 0;   // index of the state within that crash point (enumeration order)
  std::string plan;          // what survived, per file/dir, in words (faults/crash_words.h)
  CheckResult checks;        // what broke
  std::string repro;         // one line: how to get there again
};

struct ExploreResult {
  std::uint64_t crash_points = 0;  // fs-op boundaries tried
  std::uint64_t states = 0;        // distinct post-crash states recovered and checked
  std::uint64_t plans = 0;         // survival plans tried (several may give one state)
  std::uint64_t failed_states = 0;
  bool complete = false;           // false: max_states cut it short
  std::optional<ExploreFailure> first_failure;
  std::string problem;             // a run that could not be explored (hang, contract violation)
  bool passed() const { return failed_states == 0 && problem.empty(); }
};

// `memoize`: recover each distinct post-crash image once (recovery_memo.h); off only to show
// that the memo changes no result.
ExploreResult explore(const RunConfig& config, std::uint64_t seed, std::uint64_t max_states,
                      bool memoize = true);

}  // namespace harness
