// Exhaustive bounded exploration: every fs-op crash point x every distinct survival outcome of
// a small workload, each recovered and checked.
#include <gtest/gtest.h>

#include "faults/fs_wrapper.h"
#include "sim/harness/explore.h"
#include "sim/harness/mutants.h"
#include "sim/harness/runner.h"

namespace harness {
namespace {

RunConfig tiny(wal::SyncPolicy policy, faults::CrashPolicy crash) {
  RunConfig config;
  config.wal.segment_bytes = 4 << 10;  // rotations within a few ops
  config.wal.sync = policy;
  config.wal.sync_interval_us = 300;
  config.wal.buffer_bytes = 1 << 10;
  config.workload.writers = 2;
  config.workload.ops = 24;
  config.workload.entry_bytes_min = 100;
  config.workload.entry_bytes_max = 900;
  config.workload.batch_ratio = {1, 4};
  config.workload.sync_ratio = {1, 6};
  config.workload.checkpoint_every = 5;
  config.crash.power_loss.policy = crash;
  return config;
}

TEST(ExploreTest, EveryCrashPointAndSurvivalOutcomeRecoversCorrectly) {
  for (const auto& [policy, crash] :
       {std::pair{wal::SyncPolicy::kGrouped, faults::CrashPolicy::kTorn},
        std::pair{wal::SyncPolicy::kPeriodic, faults::CrashPolicy::kReorder},
        std::pair{wal::SyncPolicy::kNone, faults::CrashPolicy::kPrefix}}) {
    const ExploreResult r = explore(tiny(policy, crash), 7, 50'000);
    EXPECT_TRUE(r.passed()) << r.problem << (r.first_failure ? r.first_failure->repro + "\n" +
                                                                   r.first_failure->checks.summary()
                                                             : "");
    EXPECT_TRUE(r.complete);
    EXPECT_GT(r.crash_points, 50u);
    EXPECT_GT(r.states, r.crash_points);  // several survival outcomes at some points
    EXPECT_GE(r.plans, r.states);
  }
}

TEST(ExploreTest, TheBoundCutsItShortAndSaysSo) {
  const ExploreResult r =
      explore(tiny(wal::SyncPolicy::kGrouped, faults::CrashPolicy::kTorn), 7, 100);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.states, 100u);
}

// fdatasync that reports success and syncs nothing.
class NoSyncFs final : public faults::FsWrapper {
 public:
  using FsWrapper::FsWrapper;

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override {
    return std::make_unique<File>(std::move(file), std::string(path));
  }

 private:
  class File final : public faults::FileWrapper {
   public:
    using FileWrapper::FileWrapper;
    wal::Status sync_data() override { return wal::Status::ok(); }
    wal::Status sync() override { return wal::Status::ok(); }
  };
};

TEST(ExploreTest, FindsALyingFsyncAndSaysWhereToLook) {
  RunConfig config = tiny(wal::SyncPolicy::kGrouped, faults::CrashPolicy::kDropUnsynced);
  config.decorate_fs = [](sim::SimFs& fs, sim::Prng&) -> std::unique_ptr<wal::Fs> {
    return std::make_unique<NoSyncFs>(fs);
  };
  const ExploreResult r = explore(config, 7, 50'000);
  EXPECT_FALSE(r.passed());
  EXPECT_GT(r.failed_states, 0u);
  ASSERT_TRUE(r.first_failure.has_value());
  EXPECT_EQ(r.first_failure->crash.kind, CrashAt::Kind::kFsOp);
  EXPECT_TRUE(r.first_failure->checks[Invariant::kDurability].violated())
      << r.first_failure->checks.summary();
  EXPECT_NE(r.first_failure->repro.find("fs-op:"), std::string::npos) << r.first_failure->repro;

  // The crash point it names fails as a plain run too.
  RunConfig replay = config;
  replay.crash.at = r.first_failure->crash;
  EXPECT_FALSE(run_simulation(replay, 7).passed);
}

// The memo (recovery_memo.h) recovers each distinct post-crash image once; with it off every
// state is recovered from scratch. Both must see the same states and judge them alike, on a
// correct WAL and on one whose group commit acknowledges before its fdatasync.
void expect_same(const ExploreResult& memo, const ExploreResult& fresh) {
  EXPECT_EQ(memo.crash_points, fresh.crash_points);
  EXPECT_EQ(memo.states, fresh.states);
  EXPECT_EQ(memo.plans, fresh.plans);
  EXPECT_EQ(memo.failed_states, fresh.failed_states);
  EXPECT_EQ(memo.complete, fresh.complete);
  EXPECT_EQ(memo.problem, fresh.problem);
  ASSERT_EQ(memo.first_failure.has_value(), fresh.first_failure.has_value());
  if (memo.first_failure) {
    EXPECT_EQ(memo.first_failure->repro, fresh.first_failure->repro);
    EXPECT_EQ(memo.first_failure->checks.summary(), fresh.first_failure->checks.summary());
  }
}

TEST(ExploreTest, TheRecoveryMemoChangesNoResult) {
  for (const auto& [policy, crash] :
       {std::pair{wal::SyncPolicy::kGrouped, faults::CrashPolicy::kTorn},
        std::pair{wal::SyncPolicy::kPeriodic, faults::CrashPolicy::kReorder}}) {
    const RunConfig config = tiny(policy, crash);
    expect_same(explore(config, 11, 50'000, true), explore(config, 11, 50'000, false));
  }
  const ScopedMutant mutant("ack-before-fdatasync");
  const RunConfig config = tiny(wal::SyncPolicy::kGrouped, faults::CrashPolicy::kDropUnsynced);
  const ExploreResult memo = explore(config, 11, 50'000, true);
  EXPECT_GT(memo.failed_states, 0u) << "the mutant should be caught, or this compares nothing";
  expect_same(memo, explore(config, 11, 50'000, false));
}

}  // namespace
}  // namespace harness
