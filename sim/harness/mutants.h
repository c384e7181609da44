// The bug zoo (SPEC 4.7, docs/bug-zoo.md): named, deliberately broken variants of the real WAL
// that the harness must catch. Each mutant is a libfiu point "wal/mutant/<name>" inside wal/src
// (wal/src/mutant.h), compiled only into test builds; ScopedMutant switches one on for the runs
// in its scope. The catalogue says what each breaks, which invariants are expected to catch it
// and the run configuration that hunts it (the scenarios in scenarios/bug-zoo/ mirror them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/harness/invariants.h"
#include "sim/harness/run_config.h"
#include "sim/harness/runner.h"

namespace harness {

struct Mutant {
  std::string_view name;        // kebab-case; the libfiu point is "wal/mutant/<name>"
  std::string_view origin;      // "spec" (SPEC 4.7 class), "seed" (a seed library's crash bug),
                                // "field" (a bug real WALs have had)
  std::string_view breaks;      // one line: what goes wrong
  std::vector<Invariant> caught_by;  // a catch must violate at least one of these
  // The configuration that hunts it: the chaos workload narrowed to where the bug lives. Every
  // mutant must be caught (the CI test fails on a survivor): a survivor is a finding to fix in
  // the harness, never by weakening the mutant.
  RunConfig (*config)();
  // Caught as a hang (a deadlock or the step limit: the run's verdict names the threads), not
  // by an invariant.
  bool hangs = false;
};

// The WAL's catalogue. find_mutant also finds the bugs planted in registered targets
// (TargetInfo::planted, target.h), whose names are their libfiu points ("examples/kv/...").
const std::vector<Mutant>& all_mutants();
const Mutant* find_mutant(std::string_view name);
// The bugs planted in log.cc's own acknowledgement and thread logic (in the catalogue too:
// walsim runs wal::Log); tests/harness/threaded_log_test.cc also hunts them on its own.
const std::vector<std::string_view>& log_runtime_mutants();

// What the mutant needs from a run's environment beyond the scenario keys: no-salt-check needs
// recycled blocks (segment files that start with an older incarnation's records). Sets
// config.decorate_fs from the catalogue's config unless the config has one. A scenario runner
// applies it to every run of a scenario naming the mutant, with the mutant on or off.
void apply_environment(const Mutant& mutant, RunConfig& config);

// Whether this build carries the mutant points (test builds, WAL_FIU=ON).
bool mutants_available();

// Switches the named mutant on for its lifetime. One at a time; REQUIRES mutants_available()
// and a name from the catalogue.
class ScopedMutant {
 public:
  explicit ScopedMutant(std::string_view name);
  ~ScopedMutant();
  ScopedMutant(const ScopedMutant&) = delete;
  ScopedMutant& operator=(const ScopedMutant&) = delete;

 private:
  std::string point_;
};

// Seeds first_seed, first_seed + 1, ... with the mutant on, until a run violates one of the
// mutant's caught_by invariants (a catch) or max_seeds ran. A seed whose run fails with the
// mutant off as well is no catch: the harness (or the WAL) fails there on its own.
struct Hunt {
  std::uint64_t seeds_run = 0;
  std::optional<RunResult> caught;  // the first catching run
  std::vector<std::uint64_t> failing_without_mutant;  // seeds that failed with it off too
  double wall_seconds = 0;
};
Hunt hunt(const Mutant& mutant, std::uint64_t first_seed, std::uint64_t max_seeds);

// Whether `result` is a catch of `mutant`: one of its caught_by invariants is violated.
bool is_catch(const Mutant& mutant, const RunResult& result);

// Greedy shrink of a catching run: drops ops (and faults) from its script one at a time while
// the run, replayed with the same seed and the mutant on, still catches it. Returns the
// smallest catching result found (its `script` is the repro).
RunResult shrink_catch(const Mutant& mutant, const RunResult& caught, std::uint32_t max_runs);

}  // namespace harness
