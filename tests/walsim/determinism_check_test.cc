// The determinism check of `walsim run`: every failing seed whose timeline the report keeps is
// run once more and its trace hash compared. It must say "bit for bit" for a target that is the
// seed's alone, and fail for one that takes something from its process, as a store with host
// randomness, the host clock or a thread of its own would.
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "reports/writers.h"
#include "sim/harness/target.h"
#include "sim/walsim/scenario.h"
#include "sim/walsim/sweep.h"

namespace {

// Creates one file per open, named by the process id (each run and its replay run in worker
// processes of their own), and always reports a violation, so that each seed fails and is
// replayed.
class HistoryTarget final : public harness::Target {
 public:
  explicit HistoryTarget(bool from_history) : from_history_(from_history) {}

  std::vector<harness::TargetInvariant> invariants() const override {
    return {{"history-fails", harness::Invariant::kIntegrity, "always violated"}};
  }
  wal::Status open(const harness::TargetEnv& env) override {
    const std::uint64_t n = from_history_ ? static_cast<std::uint64_t>(::getpid()) : 1;
    wal::Result<std::unique_ptr<wal::File>> file =
        env.fs->open(env.dir + "/file-" + std::to_string(n), wal::OpenMode::kCreate);
    if (!file) return file.error();
    return (*file)->close();
  }
  harness::Applied apply(const harness::Op&, sim::Prng&) override { return {}; }
  wal::Status close() override { return wal::Status::ok(); }
  void crash() override {}
  std::vector<harness::Violation> check(bool) override {
    return {{harness::Invariant::kIntegrity, wal::kNoLsn, 0, "integrity: history-fails"}};
  }

 private:
  const bool from_history_;
};

const bool kRegistered = [] {
  harness::register_target({"history-of-process", "test: depends on the process's history",
                            [] { return std::make_unique<HistoryTarget>(true); }, {}});
  harness::register_target({"history-of-seed", "test: depends on the seed alone",
                            [] { return std::make_unique<HistoryTarget>(false); }, {}});
  return true;
}();

// Every op hands a write to a thread of its own, as an engine's timer or pool would, and waits
// for it: that thread is not the scheduler's.
class ForeignThreadTarget final : public harness::Target {
 public:
  std::vector<harness::TargetInvariant> invariants() const override { return {}; }
  wal::Status open(const harness::TargetEnv& env) override {
    fs_ = env.fs;
    dir_ = env.dir;
    return wal::Status::ok();
  }
  harness::Applied apply(const harness::Op&, sim::Prng&) override {
    std::thread([this] { static_cast<void>(fs_->open(dir_ + "/LOG", wal::OpenMode::kCreate)); })
        .join();
    return {};
  }
  wal::Status close() override { return wal::Status::ok(); }
  void crash() override {}
  std::vector<harness::Violation> check(bool) override { return {}; }

 private:
  wal::Fs* fs_ = nullptr;
  std::string dir_;
};

const bool kForeignRegistered = [] {
  harness::register_target({"foreign-thread", "test: writes from a thread of its own",
                            [] { return std::make_unique<ForeignThreadTarget>(); }, {}});
  return true;
}();

reports::Sweep sweep_of(const std::string& target) {
  const walsim::ParseResult parsed = walsim::parse_scenario(
      "name = \"" + target + "\"\nseeds = 2\ntarget = \"" + target +
          "\"\n[workload]\nops = 5\n[crash]\nat = \"random\"\n",
      target + ".toml");
  EXPECT_TRUE(parsed.ok());
  walsim::SweepOptions options;
  return walsim::run_sweep({*parsed.scenario}, options);
}

TEST(DeterminismCheck, AFailingSeedOfTheSeedAloneReplaysBitForBit) {
  const reports::Sweep sweep = sweep_of("history-of-seed");
  ASSERT_EQ(sweep.runs.size(), 2u);
  for (const reports::RunRecord& run : sweep.runs) {
    ASSERT_FALSE(run.passed);
    EXPECT_EQ(run.replay_hash, run.trace_hash) << run.seed;
    EXPECT_NE(reports::replay_line(run).find("Replayed bit for bit"), std::string::npos);
  }
}

TEST(DeterminismCheck, AFailingSeedThatDependsOnTheProcessIsLabelled) {
  const reports::Sweep sweep = sweep_of("history-of-process");
  ASSERT_EQ(sweep.runs.size(), 2u);
  for (const reports::RunRecord& run : sweep.runs) {
    ASSERT_FALSE(run.passed);
    ASSERT_FALSE(run.replay_hash.empty()) << "seed " << run.seed << " was not replayed";
    EXPECT_NE(run.replay_hash, run.trace_hash) << run.seed;
    EXPECT_NE(reports::replay_line(run).find("NOT deterministic"), std::string::npos)
        << reports::replay_line(run);
  }
}

// The run neither crashes nor passes: its verdict says it could not stay deterministic, and who
// broke it (before: a segfault in ThreadScheduler::block, with no simulated thread to block).
TEST(DeterminismCheck, ACallFromAThreadOutsideTheSimulationFailsTheRunAndNamesIt) {
  const reports::Sweep sweep = sweep_of("foreign-thread");
  ASSERT_EQ(sweep.runs.size(), 2u);
  for (const reports::RunRecord& run : sweep.runs) {
    EXPECT_FALSE(run.passed) << run.seed;
    EXPECT_NE(run.failure.find("not deterministic: OS thread"), std::string::npos) << run.failure;
    EXPECT_NE(run.failure.find("called open /wal/LOG"), std::string::npos) << run.failure;
  }
}

}  // namespace
