// Delta debugging (ddmin) of a failing run: the executed script's ops and faults together are
// cut down, chunk by chunk and then one by one, while the run still fails the same way (the same
// first invariant violated, or the same kind of problem), then entry sizes are made small. A
// crash point counted in Fs operations (fs-op:N) and a fault counted in calls (fsync_eio at the
// Nth sync, ...) stay on the call of the op they hit when earlier ops go (shrink_anchor.h:
// harness::survey_ops tells where that call moved).
// Every candidate runs in a child process (isolated.h): when the system under test aborts (a
// WAL_ASSERT), that is the run's verdict ("abort"), and shrinking goes on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/harness/runner.h"
#include "sim/walsim/scenario.h"

namespace walsim {

// The failure signature of a run in which the system under test aborted.
inline constexpr std::string_view kAbortSignature = "abort";

struct ShrinkResult {
  bool failed = false;          // the original run failed (else nothing to shrink)
  bool aborted = false;         // ... because the system under test aborted
  bool replayable = true;       // the executed script, given back, failed the same way (for an
                                // aborted run: the seed's workload as a script aborted too)
  std::string target;           // how it fails: an invariant name, "hang", "problem", "abort"
  harness::Script original;     // what the run executed
  harness::Script minimal;      // the smallest script found that still fails as `target`
  harness::RunConfig config;    // ... under this configuration: the input's, with each dimension
                                // the failure does not need set back to its default
  std::string failure;          // one line: how `minimal` fails (an abort: the signal and the
                                // last line the process printed, e.g. the failed WAL_ASSERT)
  std::uint64_t runs = 0;       // simulations spent
  bool budget_hit = false;      // stopped at max_runs: minimal may not be 1-minimal
};

// How a failing run fails, for "fails the same way": "" when it passed.
std::string failure_signature(const harness::RunConfig& config, const harness::RunResult& result);

// `mutant` (a bug-zoo scenario's): every run is of the broken variant, and a smaller script
// counts only if it also passes with the mutant off, so the repro shows the bug and not a
// failure of the harness's own.
ShrinkResult shrink(const harness::RunConfig& config, std::uint64_t seed, std::uint64_t max_runs,
                    const std::optional<std::string>& mutant = std::nullopt);

}  // namespace walsim
