// Scripted runs (script.h): every run reports the script it executed, and that script replays
// the run bit for bit; an edited script runs the edited ops, faults and crash point.
#include <gtest/gtest.h>

#include "sim/harness/runner.h"

namespace harness {
namespace {

RunConfig faulty(wal::SyncPolicy policy) {
  RunConfig config;
  config.wal.segment_bytes = 16 << 10;
  config.wal.sync = policy;
  config.wal.sync_interval_us = 500;
  config.wal.buffer_bytes = 4 << 10;
  config.workload.writers = 3;
  config.workload.ops = 60;
  config.workload.entry_bytes_max = 300;
  config.workload.batch_ratio = {1, 8};
  config.workload.sync_ratio = {1, 10};
  config.workload.read_ratio = {1, 20};
  config.workload.checkpoint_every = 15;
  config.faults.fsync_eio = {1, 40};
  config.faults.write_short = {1, 200};
  config.faults.misdirected_write = {1, 300};
  config.faults.bit_flip = {1, 100};
  config.crash.count = 2;
  return config;
}

TEST(ScriptTest, TheExecutedScriptReplaysTheRunBitForBit) {
  int with_faults = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const RunConfig config = faulty(wal::SyncPolicy::kGrouped);
    const RunResult original = run_simulation(config, seed);
    EXPECT_EQ(original.script.total_ops(), 60u);
    EXPECT_NE(original.script.crash.kind, CrashAt::Kind::kRandom);
    EXPECT_TRUE(original.passed) << seed << ": " << original.failure << "\n"
                                 << original.checks.summary();
    EXPECT_EQ(original.script.recovery_crashes.size(), 1u) << seed;
    if (!original.script.faults.empty()) ++with_faults;

    RunConfig replay = config;
    replay.script = original.script;
    const RunResult again = run_simulation(replay, seed);
    EXPECT_EQ(again.trace_hash, original.trace_hash) << seed << "\n" << original.script.describe();
    EXPECT_EQ(again.passed, original.passed) << seed;
    EXPECT_EQ(again.faults_injected, original.faults_injected) << seed;
    EXPECT_EQ(again.script.faults, original.script.faults) << seed;
    EXPECT_EQ(again.script.crash, original.script.crash) << seed;
  }
  EXPECT_GE(with_faults, 8);
}

TEST(ScriptTest, AScriptReplacesWorkloadFaultsAndCrashPoint) {
  RunConfig config = faulty(wal::SyncPolicy::kGrouped);
  config.crash.count = 1;
  Script script;
  script.payload_seed = 77;
  script.writers.resize(2);
  for (std::uint32_t i = 0; i < 6; ++i) {
    Op op;
    op.kind = OpKind::kAppend;
    op.writer = i % 2;
    op.index = i * 10;  // need not be dense
    op.entry_bytes = {100 + i};
    script.writers[op.writer].push_back(op);
  }
  script.faults.push_back(scripted_fault(FaultKind::kFsyncEio, 3));
  script.crash = *CrashAt::parse("op:5");
  config.script = script;
  const RunResult r = run_simulation(config, 9);
  EXPECT_TRUE(r.passed) << r.failure << "\n" << r.checks.summary();
  EXPECT_EQ(r.ops, 5u);
  EXPECT_EQ(r.faults_injected.count("write_short"), 0u);  // the probabilities are ignored
  ASSERT_EQ(r.script.faults.size(), 1u);
  EXPECT_EQ(r.script.faults[0].kind, FaultKind::kFsyncEio);
  EXPECT_EQ(r.script.faults[0].at, 3u);
  EXPECT_EQ(r.faults_injected.at("fsync_eio"), 1u);
  EXPECT_EQ(r.script.crash, *CrashAt::parse("op:5"));
  EXPECT_EQ(r.script.payload_seed, 77u);
}

TEST(ScriptTest, FileClassesNameFilesWithoutTheirNumbers) {
  EXPECT_EQ(file_class("/wal/00000000000000000003.wal"), "#.wal");
  EXPECT_EQ(file_class("/wal/00000000000000000003.wal.tmp"), "#.wal.tmp");
  EXPECT_EQ(file_class("/wal/FRONT.tmp"), "FRONT.tmp");
  EXPECT_EQ(file_class("db/000012.sst"), "#.sst");
  EXPECT_EQ(file_class("a1b22c"), "a#b#c");
}

// A fault anchored to a file fires on that file's n-th call of its op class, wherever that
// call falls in the run; the fault records where it fired, so the shrinker can anchor it.
TEST(ScriptTest, AFaultAnchoredToAFileFiresOnThatFilesCall) {
  RunConfig config = faulty(wal::SyncPolicy::kGrouped);
  config.crash.count = 1;
  config.wal.segment_bytes = 4 << 10;
  config.workload.sync_ratio = {1, 4};
  config.workload.truncate_ratio = {1, 4};
  const RunResult drawn = run_simulation(config, 4);
  Script script = drawn.script;
  script.faults.clear();
  script.crash = {CrashAt::Kind::kNone, 0};
  script.faults.push_back(scripted_fault(FaultKind::kFsyncEio, 1));
  script.faults.back().file = "FRONT.tmp";
  config.script = script;
  const RunResult r = run_simulation(config, 4);
  ASSERT_EQ(r.script.faults.size(), 1u) << r.failure;
  EXPECT_NE(r.script.faults[0].detail.find("FRONT.tmp"), std::string::npos)
      << r.script.faults[0].detail;
  EXPECT_EQ(r.script.faults[0].fired_file, "FRONT.tmp");
  EXPECT_EQ(r.script.faults[0].fired_file_at, 1u);
  EXPECT_GT(r.script.faults[0].at, 1u);  // the run's first fsync was elsewhere
  // The global count it recorded names the same call.
  RunConfig global = config;
  global.script->faults = {scripted_fault(FaultKind::kFsyncEio, r.script.faults[0].at)};
  const RunResult again = run_simulation(global, 4);
  EXPECT_EQ(again.trace_hash, r.trace_hash);
  EXPECT_EQ(anchored_to_file(again.script.faults[0]), script.faults[0]);
}

TEST(ScriptTest, DroppingTheFaultsOfAScriptRemovesThem) {
  const RunConfig config = faulty(wal::SyncPolicy::kGrouped);
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const RunResult original = run_simulation(config, seed);
    if (original.script.faults.empty()) continue;
    RunConfig edited = config;
    edited.script = original.script;
    edited.script->faults.clear();
    const RunResult r = run_simulation(edited, seed);
    EXPECT_TRUE(r.faults_injected.empty()) << seed;
    EXPECT_TRUE(r.script.faults.empty()) << seed;
    EXPECT_NE(r.trace_hash, original.trace_hash) << seed;
  }
}

TEST(ScriptTest, FsOpCrashPointsLandInsideWalCalls) {
  RunConfig config = faulty(wal::SyncPolicy::kGrouped);
  config.faults = {};
  config.crash.count = 1;
  std::set<std::uint64_t> ops_at_crash;
  for (std::uint64_t n = 0; n < 400; n += 7) {
    config.crash.at = CrashAt{CrashAt::Kind::kFsOp, n};
    const RunResult r = run_simulation(config, 4);
    EXPECT_TRUE(r.passed) << "fs-op:" << n << " " << r.failure << "\n" << r.checks.summary();
    EXPECT_EQ(r.crashes, 1u);
    if (r.script.crash.kind == CrashAt::Kind::kFsOp) {
      EXPECT_EQ(r.script.crash.value, n);
      ops_at_crash.insert(r.ops);
    }
  }
  EXPECT_GE(ops_at_crash.size(), 10u);  // the crash points spread over the workload
  EXPECT_TRUE(ops_at_crash.count(0) != 0);  // including inside the first open
}

TEST(ScriptTest, CrashAtParsesTheExplicitForms) {
  for (const char* text : {"before-sync:3", "after-sync:0", "fs-op:120", "op:4", "time:9"}) {
    const std::optional<CrashAt> at = CrashAt::parse(text);
    ASSERT_TRUE(at.has_value()) << text;
    EXPECT_EQ(at->to_string(), text);
  }
  EXPECT_FALSE(CrashAt::parse("fs-op:x").has_value());
}

}  // namespace
}  // namespace harness
