#include "sim/harness/mutants.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>

#include <wal/assert.h>

#ifdef FIU_ENABLE
#include <fiu-control.h>
#include <fiu.h>

#include "wal/src/mutant.h"
#endif

namespace harness {

void apply_environment(const Mutant& mutant, RunConfig& config) {
  if (!config.decorate_fs) config.decorate_fs = mutant.config().decorate_fs;
}

bool mutants_available() {
#ifdef FIU_ENABLE
  return true;
#else
  return false;
#endif
}

// The WAL's mutants are "wal/mutant/<name>"; a target's planted bug is named by its full point.
ScopedMutant::ScopedMutant(std::string_view name)
    : point_(name.find('/') == std::string_view::npos ? "wal/mutant/" + std::string(name)
                                                      : std::string(name)) {
  WAL_ASSERT(find_mutant(name) != nullptr);
  WAL_ASSERT(mutants_available());
#ifdef FIU_ENABLE
  static std::once_flag initialised;
  std::call_once(initialised, [] { WAL_ASSERT(fiu_init(0) == 0); });
  WAL_ASSERT(wal::mutant::enable(point_.c_str()) == 0);
#endif
}

ScopedMutant::~ScopedMutant() {
#ifdef FIU_ENABLE
  wal::mutant::disable(point_.c_str());
#endif
}

bool is_catch(const Mutant& mutant, const RunResult& result) {
  if (mutant.hangs && result.hang) return true;
  return std::any_of(mutant.caught_by.begin(), mutant.caught_by.end(),
                     [&](Invariant invariant) { return result.checks[invariant].violated(); });
}

Hunt hunt(const Mutant& mutant, std::uint64_t first_seed, std::uint64_t max_seeds) {
  const auto start = std::chrono::steady_clock::now();
  Hunt out;
  const RunConfig config = mutant.config();
  std::optional<ScopedMutant> on(std::in_place, mutant.name);
  for (std::uint64_t seed = first_seed; out.seeds_run < max_seeds; ++seed) {
    ++out.seeds_run;
    RunResult result = run_simulation(config, seed);
    if (!is_catch(mutant, result)) continue;
    on.reset();
    const bool clean_without = run_simulation(config, seed).passed;
    on.emplace(mutant.name);
    if (!clean_without) {
      out.failing_without_mutant.push_back(seed);
      continue;
    }
    out.caught = std::move(result);
    break;
  }
  out.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

namespace {

// The script without the op at flat position `at` (writers in order, then ops in order) and
// `count` - 1 after it in the same writer.
Script without_ops(const Script& script, std::size_t at, std::size_t count) {
  Script out = script;
  for (std::vector<Op>& ops : out.writers) {
    if (at < ops.size()) {
      const std::size_t n = std::min(count, ops.size() - at);
      ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(at),
                ops.begin() + static_cast<std::ptrdiff_t>(at + n));
      return out;
    }
    at -= ops.size();
  }
  return out;
}

}  // namespace

RunResult shrink_catch(const Mutant& mutant, const RunResult& caught, std::uint32_t max_runs) {
  RunConfig config = mutant.config();
  std::optional<ScopedMutant> on(std::in_place, mutant.name);
  RunResult best = caught;
  std::uint32_t runs = 0;
  // A smaller script counts only if it still catches the mutant and still passes without it
  // (else what it shows is the harness's own failure, not the bug).
  auto try_one = [&](const Script& candidate) {
    if (runs >= max_runs) return false;
    ++runs;
    config.script = candidate;
    RunResult result = run_simulation(config, caught.seed);
    if (!is_catch(mutant, result)) return false;
    on.reset();
    const bool clean_without = run_simulation(config, caught.seed).passed;
    on.emplace(mutant.name);
    if (!clean_without) return false;
    best = std::move(result);
    return true;
  };
  // Without an op, a crash "before op N" lands one op later than it did: try one earlier too.
  auto attempt = [&](Script candidate) {
    if (try_one(candidate)) return true;
    if (candidate.crash.kind != CrashAt::Kind::kOp || candidate.crash.value == 0) return false;
    --candidate.crash.value;
    return try_one(candidate);
  };
  // Chunks of ops first (halving), then single ops, until a pass removes nothing.
  for (bool progress = true; progress && runs < max_runs;) {
    progress = false;
    for (std::size_t chunk = std::max<std::size_t>(1, best.script.total_ops() / 2); chunk >= 1;
         chunk /= 2) {
      for (std::size_t at = 0; at < best.script.total_ops();) {
        if (attempt(without_ops(best.script, at, chunk))) {
          progress = true;
        } else {
          at += chunk;
        }
      }
      if (chunk == 1) break;
    }
    for (std::size_t f = 0; f < best.script.faults.size();) {
      Script candidate = best.script;
      candidate.faults.erase(candidate.faults.begin() + static_cast<std::ptrdiff_t>(f));
      if (attempt(std::move(candidate))) {
        progress = true;
      } else {
        ++f;
      }
    }
    // Fewer ops make fewer Fs calls: a fault scheduled at the Nth call may need to come earlier
    // for the next removal to keep it where it bites.
    for (std::size_t f = 0; f < best.script.faults.size(); ++f) {
      if (best.script.faults[f].kind == FaultKind::kNoSpace) continue;
      for (std::uint64_t at = 1; at < best.script.faults[f].at; ++at) {
        Script candidate = best.script;
        candidate.faults[f].at = at;
        if (attempt(std::move(candidate))) {
          progress = true;
          break;
        }
      }
    }
  }
  return best;
}

}  // namespace harness
