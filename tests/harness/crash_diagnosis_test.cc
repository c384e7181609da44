// The diagnosis shrinks a failing run's crash state to the lost items the failure needs and says
// them in words (crash_diagnosis.h). Here the "run" is a stand-in that fails by a rule on the
// post-crash disk, so each test knows exactly which lost item matters.
#include "sim/harness/crash_diagnosis.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "sim/sim_fs.h"

namespace harness {
namespace {

using sim::OpFate;

// /wal/a.wal created and written at [0,100), [100,200), [200,300); then an append call that
// returned OK; nothing synced unless `sync_dir`.
struct Stage {
  sim::Trace trace;
  sim::SimFs fs{{}, &trace};
  std::uint64_t rerun_count = 0;

  explicit Stage(bool sync_dir) {
    fs.make_durable_dirs("/wal");
    auto handle = fs.open("/wal/a.wal", wal::OpenMode::kCreate).value();
    if (sync_dir) {
      EXPECT_TRUE(fs.sync_dir("/wal").is_ok());
    }
    for (std::uint64_t at : {0u, 100u, 200u}) {
      EXPECT_TRUE(handle->write_at(at, sim::Bytes(100, std::byte{7})).is_ok());
    }
    trace.note("harness", "append", 0, 5);  // call 0: append w0 op5
    trace.note("harness", "return", 0, 0);  // returned OK
    trace.note("harness", "power-loss", 1, 0);
  }

  // A stand-in for a run: its power loss is the hook's (everything lost unless it says
  // otherwise), and it fails when `fails` says so of the disk after it.
  Rerun rerun(std::function<bool(const sim::SimFsState&)> fails, bool power_loss = true) {
    return [this, fails, power_loss](const RunConfig& config, sim::Trace& into) {
      ++rerun_count;
      for (const sim::Event& e : trace.events()) into.record(e);
      RunResult result;
      if (!power_loss) return result;  // failed, no crash
      const sim::CrashPlan nothing_kept;
      std::optional<sim::SimFsState> after =
          config.power_loss_hook->first_power_loss(fs.state(), nothing_kept);
      if (!after) after = sim::apply_crash(fs.state(), nothing_kept);
      result.passed = !fails(*after);
      return result;
    };
  }
};

// The disk after the crash lacks the bytes [100,200) of /wal/a.wal (or the file itself).
bool lacks_second_write(const sim::SimFsState& state) {
  const sim::Entries& root = state.inodes.at(sim::SimFsState::kRoot).dir.durable;
  const sim::Entries& wal = state.inodes.at(root.at("wal")).dir.durable;
  const auto it = wal.find("a.wal");
  if (it == wal.end()) return true;
  const sim::Bytes& bytes = state.inodes.at(it->second).file.durable;
  return bytes.size() < 200 || bytes[150] != std::byte{7};
}

TEST(CrashDiagnosis, ALostDirectoryEntryIsBlamedBeforeTheDataItHid) {
  Stage stage(false);
  const CrashDiagnosis d = diagnose_failure(RunConfig{}, stage.rerun(lacks_second_write));
  EXPECT_EQ(d.text,
            "The power loss dropped the new entry /wal/a.wal (#0): no sync_dir of /wal followed "
            "it, yet 1 write or sync returned OK after it (the first: append w0 op5 at #5). "
            "Keeping it durable makes the run pass (1 of 4 lost items matters; 3 re-runs).");
  EXPECT_EQ(d.reruns, stage.rerun_count);
}

TEST(CrashDiagnosis, OfThreeLostWritesOnlyTheOneTheCheckNeedsIsNamed) {
  Stage stage(true);
  const CrashDiagnosis d = diagnose_failure(RunConfig{}, stage.rerun(lacks_second_write));
  EXPECT_NE(d.text.find("The power loss dropped the write [100,200) to /wal/a.wal (#3): no sync "
                        "of /wal/a.wal followed it, yet 1 write or sync returned OK after it"),
            std::string::npos)
      << d.text;
  EXPECT_NE(d.text.find("(1 of 3 lost items matters;"), std::string::npos) << d.text;
}

TEST(CrashDiagnosis, AFailureThatStaysWhenEverythingSurvivesDependsOnNoCrashState) {
  Stage stage(false);
  const CrashDiagnosis d =
      diagnose_failure(RunConfig{}, stage.rerun([](const sim::SimFsState&) { return true; }));
  EXPECT_EQ(d.text.rfind("The failure does not depend on the crash state", 0), 0u) << d.text;
  EXPECT_EQ(d.reruns, 2u);  // the run itself, then with everything durable
}

TEST(CrashDiagnosis, AFailureWithoutAPowerLossSaysSo) {
  Stage stage(false);
  const CrashDiagnosis d = diagnose_failure(
      RunConfig{}, stage.rerun([](const sim::SimFsState&) { return true; }, false));
  EXPECT_EQ(d.text.rfind("No power loss came before the failure", 0), 0u) << d.text;
  EXPECT_EQ(d.reruns, 1u);
}

TEST(CrashDiagnosis, InjectedFaultsOfTheRunAreNamed) {
  Stage stage(true);
  const Rerun plain = stage.rerun(lacks_second_write);
  const Rerun with_faults = [&](const RunConfig& config, sim::Trace& trace) {
    RunResult result = plain(config, trace);
    result.faults_injected["fsync_eio"] = 2;
    return result;
  };
  const CrashDiagnosis d = diagnose_failure(RunConfig{}, with_faults);
  EXPECT_NE(d.text.find("re-runs) (injected faults in the run: fsync_eio x2)."), std::string::npos)
      << d.text;
}

TEST(CrashDiagnosis, TheReRunBudgetIsKept) {
  Stage stage(true);
  const CrashDiagnosis d = diagnose_failure(RunConfig{}, stage.rerun(lacks_second_write), 3);
  EXPECT_LE(stage.rerun_count, 3u);
  EXPECT_NE(d.text.find("budget spent"), std::string::npos) << d.text;
}

}  // namespace
}  // namespace harness
