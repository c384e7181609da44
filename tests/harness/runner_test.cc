// The runner end to end: the real LogCore on SimFs under the scheduler, crashed and checked.
#include <gtest/gtest.h>

#include <set>

#include "sim/harness/runner.h"

namespace harness {
namespace {

RunConfig small(wal::SyncPolicy policy, std::uint32_t writers) {
  RunConfig config;
  config.wal.segment_bytes = 16 << 10;
  config.wal.sync = policy;
  config.wal.sync_interval_us = 500;
  config.wal.buffer_bytes = 4 << 10;
  config.workload.writers = writers;
  config.workload.ops = 60;
  config.workload.entry_bytes_min = 1;
  config.workload.entry_bytes_max = 300;
  config.workload.batch_ratio = {1, 8};
  config.workload.sync_ratio = {1, 10};
  config.workload.read_ratio = {1, 20};
  config.workload.checkpoint_every = 15;
  return config;
}

std::string describe(const RunResult& r) {
  std::string text = "seed " + std::to_string(r.seed) + ": " + r.failure + "\n";
  for (const std::string& p : r.problems) text += "  problem: " + p + "\n";
  text += r.checks.summary();
  return text;
}

TEST(RunnerTest, SameSeedSameTraceHashDifferentSeedDifferent) {
  const RunConfig config = small(wal::SyncPolicy::kGrouped, 3);
  std::set<std::uint64_t> hashes;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const RunResult first = run_simulation(config, seed);
    const RunResult second = run_simulation(config, seed);
    EXPECT_EQ(first.trace_hash, second.trace_hash) << seed;
    EXPECT_EQ(first.steps, second.steps) << seed;
    EXPECT_EQ(first.virtual_time_us, second.virtual_time_us) << seed;
    hashes.insert(first.trace_hash);
  }
  EXPECT_EQ(hashes.size(), 6u);
}

class RunnerPolicyTest : public ::testing::TestWithParam<wal::SyncPolicy> {};

TEST_P(RunnerPolicyTest, RandomCrashesRecoverEverythingPromised) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const RunResult r = run_simulation(small(GetParam(), 2), seed);
    EXPECT_TRUE(r.passed) << describe(r);
    EXPECT_EQ(r.crashes, 1u);
    EXPECT_FALSE(r.hang);
    EXPECT_TRUE(r.checks[Invariant::kDurability].checked);
    EXPECT_TRUE(r.checks[Invariant::kNoLeak].checked);
    EXPECT_TRUE(r.checks[Invariant::kIdempotentRecovery].checked);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryPolicy, RunnerPolicyTest,
                         ::testing::Values(wal::SyncPolicy::kNone, wal::SyncPolicy::kImmediate,
                                           wal::SyncPolicy::kPeriodic,
                                           wal::SyncPolicy::kGrouped));

TEST(RunnerTest, GroupCommitActuallyGroupsConcurrentWriters) {
  RunConfig config = small(wal::SyncPolicy::kGrouped, 4);
  config.crash.at = *CrashAt::parse("none");
  config.workload.sync_ratio = {0, 1};
  config.workload.read_ratio = {0, 1};
  const RunResult r = run_simulation(config, 3);
  EXPECT_TRUE(r.passed) << describe(r);
  EXPECT_EQ(r.ops, 60u);
  EXPECT_GT(r.syncs, 0u);
  EXPECT_LT(r.syncs, 60u);  // four writers share fdatasyncs
}

TEST(RunnerTest, NoCrashMeansACleanReopenThatLosesNothing) {
  RunConfig config = small(wal::SyncPolicy::kNone, 1);
  config.crash.at = *CrashAt::parse("none");
  const RunResult r = run_simulation(config, 5);
  EXPECT_TRUE(r.passed) << describe(r);
  EXPECT_EQ(r.crashes, 0u);
  EXPECT_EQ(r.ops, 60u);
}

TEST(RunnerTest, PersistencePointsAndCrashDuringRecovery) {
  RunConfig config = small(wal::SyncPolicy::kGrouped, 2);
  config.crash.at = *CrashAt::parse("persistence-points");
  config.crash.count = 3;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const RunResult r = run_simulation(config, seed);
    EXPECT_TRUE(r.passed) << describe(r);
    EXPECT_EQ(r.crashes, 3u);
  }
}

TEST(RunnerTest, EveryCrashPolicyPasses) {
  for (const char* policy : {"drop-unsynced", "prefix", "reorder", "torn", "garbage-tail"}) {
    RunConfig config = small(wal::SyncPolicy::kPeriodic, 2);
    config.crash.power_loss.policy = *faults::parse_crash_policy(policy);
    for (std::uint64_t seed = 10; seed < 14; ++seed) {
      const RunResult r = run_simulation(config, seed);
      EXPECT_TRUE(r.passed) << policy << " " << describe(r);
    }
  }
}

TEST(RunnerTest, CrashAtParsesEveryForm) {
  EXPECT_EQ(CrashAt::parse("op:17")->value, 17u);
  EXPECT_EQ(CrashAt::parse("time:5000")->kind, CrashAt::Kind::kTime);
  EXPECT_EQ(CrashAt::parse("none")->kind, CrashAt::Kind::kNone);
  EXPECT_FALSE(CrashAt::parse("op:").has_value());
  EXPECT_FALSE(CrashAt::parse("sometimes").has_value());
  EXPECT_EQ(CrashAt::parse("op:3")->to_string(), "op:3");
}

}  // namespace
}  // namespace harness
