// Delta debugging (ddmin) of a failing run: the executed script's ops and faults together are
// cut down, chunk by chunk and then one by one, while the run still fails the same way (the same
// first invariant violated, or the same kind of problem), then entry sizes are made small.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/harness/runner.h"
#include "sim/walsim/scenario.h"

namespace walsim {

struct ShrinkResult {
  bool failed = false;          // the original run failed (else nothing to shrink)
  bool replayable = true;       // the executed script, given back, failed the same way
  std::string target;           // how it fails: an invariant name, "hang" or "problem"
  harness::Script original;     // what the run executed
  harness::Script minimal;      // the smallest script found that still fails as `target`
  harness::RunResult last;      // the run of `minimal`
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
