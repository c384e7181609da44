// crash.at = "inside-op" (sim/harness/crash_aim.h): the aim picks the op kind first, then a
// durability barrier made while an op of that kind ran, and the power goes out just before it;
// a run reports the point as fs-op:N and replays it bit for bit.
#include "sim/harness/crash_aim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "sim/harness/runner.h"

namespace harness {
namespace {

using Span = OpSurvey::Span;

// Fifty appends with a barrier each, and one truncate_front with three barriers among its Fs
// operations 201..210.
OpSurvey appends_and_one_truncate() {
  OpSurvey survey;
  survey.calls.assign(210, FsCallKind::kWrite);
  for (std::uint32_t i = 0; i < 50; ++i) {
    survey.ops.push_back({OpKind::kAppend, i, 4 * i + 1, 4 * i + 4});
    survey.calls[4 * i + 3] = FsCallKind::kSync;
  }
  survey.ops.push_back({OpKind::kTruncate, 50, 201, 210});
  for (std::uint64_t barrier : {204, 207, 210}) survey.calls[barrier - 1] = FsCallKind::kSyncDir;
  return survey;
}

TEST(CrashAim, TheRareKindWeighsAsMuchAsTheManyAppends) {
  const OpSurvey survey = appends_and_one_truncate();
  std::map<std::uint64_t, int> inside_truncate;
  int appends = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    const CrashAt at = aim_inside_op(survey, seed);
    ASSERT_EQ(at.kind, CrashAt::Kind::kFsOp);
    const std::uint64_t refused = at.value + 1;  // the operation that never happens
    EXPECT_TRUE(survey.barrier(refused)) << "fs-op:" << at.value << " is not just before a barrier";
    if (refused > 200) {
      ++inside_truncate[refused];
    } else {
      ++appends;
    }
  }
  // One op kind in two: about 200 of 400 inside the one truncate, each of its barriers drawn.
  EXPECT_GT(appends, 150);
  int truncates = 0;
  for (const auto& [barrier, n] : inside_truncate) truncates += n;
  EXPECT_GT(truncates, 150);
  EXPECT_EQ(inside_truncate.size(), 3u);
}

TEST(CrashAim, WithoutBarriersAnyFsOperationOfAnOp) {
  OpSurvey survey;
  survey.calls.assign(3, FsCallKind::kRead);
  survey.ops.push_back({OpKind::kAppend, 0, 1, 0});  // made none
  survey.ops.push_back({OpKind::kRead, 1, 1, 3});
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const CrashAt at = aim_inside_op(survey, seed);
    ASSERT_EQ(at.kind, CrashAt::Kind::kFsOp);
    EXPECT_LE(at.value, 2u);  // before operation 1, 2 or 3
  }
  OpSurvey idle;
  idle.ops.push_back({OpKind::kAppend, 0, 1, 0});
  EXPECT_EQ(aim_inside_op(idle, 1).kind, CrashAt::Kind::kOp);
}

TEST(CrashAim, TheSameSeedAimsTheSame) {
  const OpSurvey survey = appends_and_one_truncate();
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    EXPECT_EQ(aim_inside_op(survey, seed), aim_inside_op(survey, seed));
  }
}

RunConfig truncating(wal::SyncPolicy policy) {
  RunConfig config;
  config.wal.segment_bytes = 4 << 10;
  config.wal.buffer_bytes = 4 << 10;
  config.wal.sync = policy;
  config.workload.writers = 2;
  config.workload.ops = 40;
  config.workload.entry_bytes_min = 500;
  config.workload.entry_bytes_max = 1500;
  config.workload.sync_ratio = {1, 10};
  config.workload.truncate_ratio = {1, 8};
  config.workload.reopen_ratio = {1, 20};
  config.crash.at = *CrashAt::parse("inside-op");
  return config;
}

TEST(CrashAim, TheSurveyNumbersEveryOpsCallsAndIgnoresTheCrashPoint) {
  const RunConfig config = truncating(wal::SyncPolicy::kGrouped);
  const OpSurvey survey = survey_ops(config, 3);
  const Workload workload = workload_for(config, 3);
  ASSERT_EQ(survey.ops.size(), workload.total_ops());
  std::set<std::uint32_t> indices;
  std::uint64_t barriers = 0;
  for (const OpSurvey::Span& op : survey.ops) {
    EXPECT_TRUE(indices.insert(op.index).second) << op.index;
    EXPECT_GE(op.first, 2u);  // the first open made the first ones
    EXPECT_LE(op.last, survey.calls.size());
  }
  for (std::uint64_t n = 1; n <= survey.calls.size(); ++n) barriers += survey.barrier(n);
  EXPECT_GT(barriers, 0u);
  // Each file's call says the class of file it was on, as a fault anchored to a file counts it.
  ASSERT_EQ(survey.files.size(), survey.calls.size());
  std::set<std::string> written;
  for (std::size_t i = 0; i < survey.calls.size(); ++i) {
    const FsCallKind call = survey.calls[i];
    if (call == FsCallKind::kWrite) written.insert(survey.files[i]);
    if (call == FsCallKind::kSyncDir) {
      EXPECT_EQ(survey.files[i], "") << i + 1;
    }
  }
  EXPECT_EQ(written.count(""), 0u);
  EXPECT_EQ(written.count("#.wal"), 1u);
  // The same with the first run's script: the crash point it pins is not the survey's.
  RunConfig scripted = config;
  scripted.script = run_simulation(config, 3).script;
  ASSERT_EQ(scripted.script->crash.kind, CrashAt::Kind::kFsOp);
  const OpSurvey again = survey_ops(scripted, 3);
  EXPECT_EQ(again.calls, survey.calls);
  EXPECT_EQ(again.files, survey.files);
  ASSERT_EQ(again.ops.size(), survey.ops.size());
  for (std::size_t i = 0; i < again.ops.size(); ++i) {
    EXPECT_EQ(again.ops[i].index, survey.ops[i].index);
    EXPECT_EQ(again.ops[i].first, survey.ops[i].first);
    EXPECT_EQ(again.ops[i].last, survey.ops[i].last);
  }
}

TEST(CrashAim, ARunReportsItsInsideOpCrashAsAnFsOpThatReplays) {
  for (wal::SyncPolicy policy : {wal::SyncPolicy::kGrouped, wal::SyncPolicy::kNone}) {
    const RunConfig config = truncating(policy);
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      const RunResult r = run_simulation(config, seed);
      EXPECT_TRUE(r.passed) << seed << ": " << r.failure;
      ASSERT_EQ(r.script.crash.kind, CrashAt::Kind::kFsOp) << seed;
      EXPECT_EQ(r.crashes, 1u);
      // The survey pass left no trace in the run: the same seed with the point written out
      // runs identically.
      RunConfig pinned = config;
      pinned.crash.at = r.script.crash;
      EXPECT_EQ(run_simulation(pinned, seed).trace_hash, r.trace_hash) << seed;
      EXPECT_EQ(run_simulation(config, seed).trace_hash, r.trace_hash) << seed;
    }
  }
}

}  // namespace
}  // namespace harness
