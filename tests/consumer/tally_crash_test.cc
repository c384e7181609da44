// A user's own tiny store crash-tested with the installed harness, through the public Target API
// (sim/harness/target.h, docs/harness-api.md): "tally", a counter whose every increment is one
// WAL entry on wal::LogCore. The harness runs it on the simulated disk under group commit, cuts
// the power at seeded moments (torn writes, lost directory entries, crashes during recovery),
// recovers it and asks it to check its own invariant: every acknowledged increment survived, and
// no increment appeared that was never attempted. Exit 0 iff every seed passes.
#include <cstdio>

#include "sim/harness/runner.h"
#include "tally_target.h"

int main() {
  tally::register_tally();
  harness::RunConfig config;
  config.target = "tally";
  config.wal.segment_bytes = 4096;  // rotations too
  config.workload.ops = 60;
  config.crash.at = *harness::CrashAt::parse("random");
  config.crash.count = 2;  // and a power loss during the first recovery
  constexpr std::uint64_t kSeeds = 100;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const harness::RunResult result = harness::run_simulation(config, seed);
    if (!result.passed) {
      std::fprintf(stderr, "tally seed %llu: %s\n", static_cast<unsigned long long>(seed),
                   result.failure.c_str());
      return 1;
    }
  }
  std::printf("tally_crash_test: %llu seeds of the user's own store passed\n",
              static_cast<unsigned long long>(kSeeds));
  return 0;
}
