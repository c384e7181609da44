// The scenarios of scenarios/engines on fixed seeds: google/leveldb#193 is caught as a
// leveldb-durability violation, and its control (every write synced) passes. The Env is
// checked against the real disk: the same seed through PosixFs and SimFs makes the same calls
// and the same files, and a write SimFs drops is seen.
#include <gtest/gtest.h>

#include <string>

#include "sim/harness/differential.h"
#include "sim/harness/runner.h"
#include "sim/walsim/scenario.h"
#include "testutil/temp_dir.h"

namespace {

harness::RunConfig engines_config(const std::string& file) {
  const walsim::ParseResult parsed =
      walsim::load_scenario(std::string(WAL_SOURCE_DIR) + "/scenarios/engines/" + file);
  EXPECT_TRUE(parsed.ok()) << file;
  return parsed.scenario->config;
}

TEST(LeveldbScenarios, Issue193IsCaughtAsLostDurabilityOnFixedSeeds) {
  const harness::RunConfig config = engines_config("leveldb-193-log-switch.toml");
  int caught = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const harness::RunResult result = harness::run_simulation(config, seed);
    const auto& lost = result.checks[harness::Invariant::kDurability].violations;
    if (lost.empty()) continue;
    ++caught;
    EXPECT_NE(lost.front().message.find("leveldb-durability"), std::string::npos)
        << lost.front().message;
  }
  EXPECT_GE(caught, 1);
}

TEST(LeveldbScenarios, EveryWriteSyncedLosesNothingOnFixedSeeds) {
  const harness::RunConfig config = engines_config("leveldb-all-sync-control.toml");
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const harness::RunResult result = harness::run_simulation(config, seed);
    EXPECT_TRUE(result.passed) << "seed " << seed << ": " << result.failure;
  }
}

TEST(LeveldbDifferential, TheEnvWritesTheSameFilesOnTheRealDiskAsOnSimFs) {
  harness::RunConfig config = engines_config("leveldb-torn-log-middle.toml");  // every op kind
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    testutil::TempDir dir;
    const harness::DiffResult result = harness::diff_target(config, seed, dir.path());
    EXPECT_TRUE(result.ok) << "seed " << seed << ": " << result.first_mismatch;
    EXPECT_GE(result.snapshots, config.workload.ops);
  }
  config.workload.ops = 20;
  for (std::uint64_t nth = 1; nth <= 19; nth += 3) {
    testutil::TempDir dir;
    harness::DiffOptions canary;
    canary.decorate_sim = [nth](wal::Fs& sim) {
      return std::make_unique<harness::DropNthWrite>(sim, nth);
    };
    EXPECT_FALSE(harness::diff_target(config, 1, dir.path(), canary).ok)
        << "write " << nth << " dropped unseen";
  }
}

}  // namespace
