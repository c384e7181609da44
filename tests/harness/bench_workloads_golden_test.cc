// The verdicts and trace hashes of bench/sim_run_bench's two workloads on a fixed seed set,
// pinned in tests/golden/bench-workloads.txt. The golden trace file (walsim/golden_trace_test)
// pins the scenario suites; this pins exactly what the simulator's throughput is measured on,
// so a change made for speed (bench/RESULTS.md, "Simulator figures") cannot change what a run
// or an exploration decides: every seeded run's verdict, failure and trace hash, and every
// exploration's crash points, states, plans, failed states and first failure, with the WAL as
// it is and with a planted bug (so that failing verdicts are pinned too). WAL_UPDATE_GOLDEN=1
// rewrites the file for a deliberate change.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>

#include <fmt/format.h>

#include "sim/harness/explore.h"
#include "sim/harness/mutants.h"
#include "sim/harness/payload.h"
#include "sim/harness/runner.h"

#include "bench/sim_workloads.h"

namespace harness {
namespace {

using sim_workloads::explore_config;
using sim_workloads::seeded_run_config;

// A stable digest of a text too long for one line of the golden file.
std::string digest(const std::string& text) {
  return fmt::format("{:016x}", fingerprint(std::as_bytes(std::span(text))));
}

std::string seeded_line(const char* variant, std::uint64_t seed) {
  const RunResult r = run_simulation(seeded_run_config(), seed);
  return fmt::format("run {} {} passed={} hash={:016x} events={} steps={} checks={} failure={}\n",
                     variant, seed, r.passed, r.trace_hash, r.trace_events, r.steps,
                     digest(r.checks.summary()), digest(r.failure));
}

std::string explore_line(const char* variant, std::uint64_t seed) {
  const ExploreResult r = explore(explore_config(), seed, 1'000'000);
  std::string first = "none";
  if (r.first_failure) {
    first = digest(r.first_failure->repro + "\n" + r.first_failure->plan + "\n" +
                   r.first_failure->checks.summary());
  }
  return fmt::format("explore {} {} points={} states={} plans={} failed={} complete={} "
                     "first={} problem={}\n",
                     variant, seed, r.crash_points, r.states, r.plans, r.failed_states,
                     r.complete, first, digest(r.problem));
}

TEST(BenchWorkloads, VerdictsAndTraceHashesOfFixedSeedsAsPinned) {
  std::string actual =
      "# tests/harness/bench_workloads_golden_test.cc: bench/sim_run_bench's workloads\n";
  for (std::uint64_t seed = 1; seed <= 40; ++seed) actual += seeded_line("wal", seed);
  for (std::uint64_t seed = 1; seed <= 16; ++seed) actual += explore_line("wal", seed);
  {
    const ScopedMutant mutant("ack-before-fdatasync");
    for (std::uint64_t seed = 1; seed <= 16; ++seed) actual += seeded_line("mutant", seed);
    for (std::uint64_t seed = 1; seed <= 3; ++seed) actual += explore_line("mutant", seed);
  }
  const std::string golden =
      (std::filesystem::path(WAL_SOURCE_DIR) / "tests" / "golden" / "bench-workloads.txt")
          .string();
  if (std::getenv("WAL_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::trunc) << actual;
    return;
  }
  std::ifstream in(golden);
  const std::string pinned((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(actual, pinned) << golden << " differs: a run or an exploration decides otherwise "
                            << "than before, or a deliberate change must update it "
                            << "(WAL_UPDATE_GOLDEN=1)";
}

}  // namespace
}  // namespace harness
