// The kv and queue examples as harness targets (sim/harness/target.h): honest stores pass their
// own invariants under crashes and faults, each planted bug is caught, runs replay bit for bit.
#include <algorithm>

#include <gtest/gtest.h>

#include "sim/harness/mutants.h"
#include "sim/harness/runner.h"
#include "sim/harness/target.h"

namespace {

using harness::Invariant;
using harness::RunConfig;
using harness::RunResult;

RunConfig base(std::string target) {
  RunConfig config;
  config.target = std::move(target);
  config.wal.sync = wal::SyncPolicy::kGrouped;
  config.wal.segment_bytes = 8192;
  config.wal.buffer_bytes = 4096;
  config.workload.ops = 80;
  config.workload.entry_bytes_min = 1;
  config.workload.entry_bytes_max = 48;
  config.workload.batch_ratio = {1, 4};
  config.workload.read_ratio = {1, 10};
  config.workload.sync_ratio = {1, 20};
  config.workload.reopen_ratio = {1, 40};
  config.crash.at = *harness::CrashAt::parse("random");
  return config;
}

void expect_all_pass(const RunConfig& config, std::uint64_t seeds) {
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    const RunResult result = harness::run_simulation(config, seed, nullptr);
    ASSERT_TRUE(result.passed) << config.target << " seed " << seed << ": " << result.failure;
  }
}

// The first seed in [1, seeds] whose run violates `invariant`, or 0.
std::uint64_t first_catch(const RunConfig& config, Invariant invariant, std::uint64_t seeds) {
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    if (harness::run_simulation(config, seed, nullptr).checks[invariant].violated()) return seed;
  }
  return 0;
}

TEST(Targets, ExamplesAreRegisteredWithTheirPlantedBugs) {
  ASSERT_NE(harness::find_target("kv"), nullptr);
  ASSERT_NE(harness::find_target("queue"), nullptr);
  EXPECT_EQ(harness::find_target("wal"), nullptr);  // built in, not registered
  ASSERT_NE(harness::find_mutant("examples/kv/double-apply"), nullptr);
  ASSERT_NE(harness::find_mutant("examples/queue/forget-ack"), nullptr);
}

TEST(Targets, HonestKvPassesUnderPowerLossAndCountsItsChecks) {
  RunConfig config = base("kv");
  expect_all_pass(config, 40);
  const RunResult result = harness::run_simulation(config, 3, nullptr);
  EXPECT_TRUE(result.checks[Invariant::kDurability].checked);
  EXPECT_TRUE(result.checks[Invariant::kIntegrity].checked);
  EXPECT_EQ(result.crashes, 1u);
  EXPECT_GT(result.ops, 0u);
}

TEST(Targets, HonestKvPassesPeriodicWithCrashesDuringRecovery) {
  RunConfig config = base("kv");
  config.wal.sync = wal::SyncPolicy::kPeriodic;
  config.wal.sync_interval_us = 200;
  config.crash.count = 3;
  expect_all_pass(config, 30);
}

TEST(Targets, HonestStoresGiveUpCleanlyAfterInjectedFaults) {
  for (const char* target : {"kv", "queue"}) {
    RunConfig config = base(target);
    config.crash.at = *harness::CrashAt::parse("none");
    config.faults.fsync_eio = {1, 30};
    config.faults.write_eio = {1, 100};
    std::uint64_t with_faults = 0;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
      const RunResult result = harness::run_simulation(config, seed, nullptr);
      ASSERT_TRUE(result.passed) << target << " seed " << seed << ": " << result.failure;
      if (!result.faults_injected.empty()) ++with_faults;
    }
    EXPECT_GT(with_faults, 0u) << target << ": no seed injected a fault, the test proves nothing";
  }
}

// fs-op:N cuts the power inside a store call (an append, a checkpoint's truncation, a reopen);
// time:US at a virtual instant.
TEST(Targets, HonestStoresPassPowerCutsInsideTheirCalls) {
  for (const char* target : {"kv", "queue"}) {
    RunConfig config = base(target);
    config.workload.ops = 30;
    for (std::uint64_t n = 0; n < 400; n += 7) {
      config.crash.at = harness::CrashAt{harness::CrashAt::Kind::kFsOp, n};
      const RunResult result = harness::run_simulation(config, n + 1, nullptr);
      ASSERT_TRUE(result.passed) << target << " fs-op:" << n << ": " << result.failure;
      ASSERT_EQ(result.crashes, 1u);
    }
    for (std::uint64_t us = 0; us < 600; us += 50) {
      config.crash.at = harness::CrashAt{harness::CrashAt::Kind::kTime, us};
      const RunResult result = harness::run_simulation(config, us + 1, nullptr);
      ASSERT_TRUE(result.passed) << target << " time:" << us << ": " << result.failure;
    }
  }
}

// survey_ops is the one loop's for every target: each op's calls, numbered as fs-op:N counts
// them, whatever crash point the config or its script has.
TEST(Targets, TheSurveyOfAStoreSeesEveryOpAndIgnoresTheCrashPoint) {
  for (const char* target : {"kv", "queue"}) {
    RunConfig config = base(target);
    config.crash.at = *harness::CrashAt::parse("inside-op");
    const harness::OpSurvey survey = harness::survey_ops(config, 5);
    ASSERT_EQ(survey.ops.size(), harness::workload_for(config, 5).total_ops()) << target;
    ASSERT_FALSE(survey.calls.empty()) << target;
    for (const harness::OpSurvey::Span& op : survey.ops) {
      EXPECT_LE(op.last, survey.calls.size()) << target;
    }
    const RunResult result = harness::run_simulation(config, 5, nullptr);
    ASSERT_TRUE(result.passed) << target << ": " << result.failure;
    ASSERT_EQ(result.script.crash.kind, harness::CrashAt::Kind::kFsOp) << target;
    EXPECT_LT(result.script.crash.value, survey.calls.size()) << target;
    RunConfig scripted = config;
    scripted.script = result.script;
    EXPECT_EQ(harness::survey_ops(scripted, 5).calls, survey.calls) << target;
  }
}

// The store's wal::Log reports its sync tickets to the run (TargetEnv::options.listener), so
// persistence points are the store's own fdatasyncs, not a fallback to a random op.
TEST(Targets, PersistencePointsCrashAtTheStoresOwnSyncTickets) {
  for (const char* target : {"kv", "queue"}) {
    RunConfig config = base(target);
    config.crash.at = *harness::CrashAt::parse("persistence-points");
    std::uint64_t at_sync = 0;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
      const RunResult result = harness::run_simulation(config, seed, nullptr);
      ASSERT_TRUE(result.passed) << target << " seed " << seed << ": " << result.failure;
      const auto kind = result.script.crash.kind;
      if (kind == harness::CrashAt::Kind::kBeforeSync ||
          kind == harness::CrashAt::Kind::kAfterSync) {
        ++at_sync;
      }
    }
    EXPECT_GT(at_sync, 20u) << target;
  }
}

// Crash epochs and crashes during recovery, for a target as for the WAL: the store goes on from
// each checked image, and the executed script (every epoch's recovery crashes, in order)
// replays the run bit for bit.
TEST(Targets, EpochsGoOnFromEachCheckedImageAndReplayFromTheScript) {
  RunConfig config = base("kv");
  config.crash.count = 3;
  config.crash.epochs = 3;
  std::size_t most_crashes = 0;
  std::size_t most_recovery_crashes = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const RunResult first = harness::run_simulation(config, seed, nullptr);
    ASSERT_TRUE(first.passed) << "seed " << seed << ": " << first.failure;
    most_crashes = std::max<std::size_t>(most_crashes, first.crashes);
    most_recovery_crashes = std::max(most_recovery_crashes, first.script.recovery_crashes.size());
    RunConfig replay = config;
    replay.script = first.script;
    EXPECT_EQ(harness::run_simulation(replay, seed, nullptr).trace_hash, first.trace_hash) << seed;
  }
  EXPECT_GT(most_crashes, 3u);           // more than one epoch's power loss
  EXPECT_GT(most_recovery_crashes, 2u);  // a later epoch's recovery crashed too
}

TEST(Targets, HonestQueuePassesUnderPowerLoss) {
  RunConfig config = base("queue");
  expect_all_pass(config, 40);
  config.wal.sync = wal::SyncPolicy::kNone;
  config.workload.sync_ratio = {1, 6};
  expect_all_pass(config, 30);
}

TEST(Targets, PlantedDoubleApplyIsCaughtByKvState) {
  if (!harness::mutants_available()) GTEST_SKIP() << "needs WAL_FIU";
  const harness::Mutant* mutant = harness::find_mutant("examples/kv/double-apply");
  ASSERT_NE(mutant, nullptr);
  const RunConfig config = mutant->config();
  ASSERT_EQ(first_catch(config, Invariant::kIntegrity, 50), 0u) << "fails with the bug off";
  harness::ScopedMutant on(mutant->name);
  const std::uint64_t seed = first_catch(config, Invariant::kIntegrity, 50);
  ASSERT_NE(seed, 0u);
  const RunResult caught = harness::run_simulation(config, seed, nullptr);
  EXPECT_NE(caught.failure.find("kv-state"), std::string::npos) << caught.failure;
}

TEST(Targets, PlantedForgetAckIsCaughtByQueueNoRedelivery) {
  if (!harness::mutants_available()) GTEST_SKIP() << "needs WAL_FIU";
  const harness::Mutant* mutant = harness::find_mutant("examples/queue/forget-ack");
  ASSERT_NE(mutant, nullptr);
  const RunConfig config = mutant->config();
  ASSERT_EQ(first_catch(config, Invariant::kDurability, 50), 0u) << "fails with the bug off";
  harness::ScopedMutant on(mutant->name);
  const std::uint64_t seed = first_catch(config, Invariant::kDurability, 50);
  ASSERT_NE(seed, 0u);
  const RunResult caught = harness::run_simulation(config, seed, nullptr);
  EXPECT_NE(caught.failure.find("queue-no-redelivery"), std::string::npos) << caught.failure;
}

TEST(Targets, ARunReplaysBitForBitFromItsSeedAndFromItsScript) {
  RunConfig config = base("kv");
  config.faults.write_short = {1, 50};
  const RunResult first = harness::run_simulation(config, 11, nullptr);
  const RunResult again = harness::run_simulation(config, 11, nullptr);
  EXPECT_EQ(first.trace_hash, again.trace_hash);
  RunConfig scripted = config;
  scripted.script = first.script;
  const RunResult replayed = harness::run_simulation(scripted, 11, nullptr);
  EXPECT_EQ(first.trace_hash, replayed.trace_hash);
  EXPECT_NE(first.trace_hash, harness::run_simulation(config, 12, nullptr).trace_hash);
}

TEST(Targets, AnUnknownTargetIsAFailedRunNamingTheKnownOnes) {
  RunConfig config = base("postgres");
  const RunResult result = harness::run_simulation(config, 1, nullptr);
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("kv"), std::string::npos) << result.failure;
}

}  // namespace
