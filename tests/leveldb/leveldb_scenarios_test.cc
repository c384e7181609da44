// The scenarios of scenarios/engines on fixed seeds: google/leveldb#193 is caught as a
// leveldb-durability violation, and its control (every write synced) passes. The Env is
// checked against the real disk: the same seed through PosixFs and SimFs makes the same calls
// and the same files, and a write SimFs drops is seen.
#include <gtest/gtest.h>

#include <string>

#include "sim/harness/mutants.h"
#include "sim/harness/runner.h"
#include "sim/walsim/scenario.h"
#include "testutil/negative_controls.h"
#include "testutil/target_diff.h"

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

// google/leveldb#1285: a short read of a log during recovery is taken for its end. Seed 2 is
// the first catch of the scenario's own seeds.
TEST(LeveldbScenarios, Issue1285ShortReadDropsTheRestOfTheLog) {
  const harness::RunConfig config = engines_config("leveldb-1285-short-read.toml");
  const harness::RunResult caught = harness::run_simulation(config, 2);
  const auto& lost = caught.checks[harness::Invariant::kDurability].violations;
  ASSERT_FALSE(lost.empty()) << caught.failure;
  EXPECT_NE(lost.front().message.find("leveldb-durability"), std::string::npos);
  harness::RunConfig no_fault = config;
  no_fault.faults.read_short = {0, 1};
  EXPECT_TRUE(harness::run_simulation(no_fault, 2).passed);
}

// google/leveldb#1081: a failed close of the old log at a switch is dropped, and a process
// crash before the old memtable reaches a table loses its writes. Without the failed close,
// or with a page cache that keeps the data (ext4), the same process crash loses nothing.
TEST(LeveldbScenarios, Issue1081FailedLogCloseLosesWritesAtAProcessCrash) {
  const harness::RunConfig config = engines_config("leveldb-1081-log-close-error.toml");
  const harness::RunResult caught = harness::run_simulation(config, 8);
  const auto& lost = caught.checks[harness::Invariant::kDurability].violations;
  ASSERT_FALSE(lost.empty()) << caught.failure;
  EXPECT_NE(lost.front().message.find("process crash"), std::string::npos);
  harness::RunConfig no_fault = config;
  no_fault.faults.close_eio = {0, 1};
  harness::RunConfig ext4 = config;
  ext4.faults.fsync_profile = "ext4";
  const harness::RunConfig fixed = engines_config("leveldb-1081-fixed-control.toml");
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    EXPECT_TRUE(harness::run_simulation(no_fault, seed).passed) << "seed " << seed;
    EXPECT_TRUE(harness::run_simulation(ext4, seed).passed) << "seed " << seed;
    EXPECT_TRUE(harness::run_simulation(fixed, seed).passed) << "seed " << seed;
  }
}

// The negative controls pass on LevelDB 1.23, and each fails with the bug it guards against
// planted back in the Env: the pre-1.23 NewDB (#189) and the pre-2012 CURRENT (issue 68).
TEST(LeveldbScenarios, TheNegativeControlsPassAndFailWithTheirBugBack) {
  testutil::expect_controls_pass_and_fail_with_their_bug_back(
      engines_config, {"leveldb-189-newdb-control.toml",
                       "leveldb-current-zeros-control.toml"},
      {"leveldb/newdb-manifest-unsynced", "leveldb/current-unsynced"}, "leveldb-open");
}

// Quiescent mode makes LevelDB's runs deterministic: the first failing seed of each bug's
// scenario, run twice, gives the same trace hash and the same verdict, message for message.
TEST(LeveldbScenarios, AFailingSeedReplaysBitForBit) {
  const std::pair<const char*, std::uint64_t> first_catches[] = {
      {"leveldb-193-log-switch.toml", 3},
      {"leveldb-1285-short-read.toml", 2},
      {"leveldb-1081-log-close-error.toml", 8},
  };
  for (const auto& [file, seed] : first_catches) {
    const harness::RunConfig config = engines_config(file);
    const harness::RunResult a = harness::run_simulation(config, seed);
    const harness::RunResult b = harness::run_simulation(config, seed);
    EXPECT_FALSE(a.passed) << file << " seed " << seed;
    EXPECT_EQ(a.trace_hash, b.trace_hash) << file;
    EXPECT_EQ(a.failure, b.failure) << file;
    EXPECT_EQ(a.checks.summary(), b.checks.summary()) << file;
  }
}

TEST(LeveldbDifferential, TheEnvWritesTheSameFilesOnTheRealDiskAsOnSimFs) {
  harness::RunConfig config = engines_config("leveldb-torn-log-middle.toml");  // every op kind
  testutil::expect_diff_matches(config, 3);
  config.workload.ops = 20;
  testutil::expect_dropped_writes_seen(config, {1, 4, 7, 10, 13, 16, 19});
}

}  // namespace
