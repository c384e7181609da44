// A seed on which the system under test aborts (a WAL_ASSERT) is a failing verdict with its
// repro, for shrink (each candidate runs in a child process), replay, explore and run: never walsim
// dying and leaving nothing behind. The abort comes from the test-only hook
// WALSIM_TEST_ABORT_AT_WRITE (sim/walsim/test_abort_hook.h; no bug-zoo mutant aborts).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "sim/harness/mutants.h"
#include "testutil/temp_dir.h"
#include "walsim/walsim_process.h"

namespace {

namespace fs = std::filesystem;
using walsim_test::Output;
using walsim_test::run;

// Immediate appends: each writes, so the 8th write falls inside every seed's run, crash or not.
constexpr const char* kScenario = R"(name = "aborts"
seeds = 3
[wal]
sync = "immediate"
segment_bytes = 16384
[workload]
ops = 30
entry_bytes = [1, 200]
[crash]
at = "random"
policy = "drop-unsynced"
)";

constexpr const char* kAbort = "WALSIM_TEST_ABORT_AT_WRITE=8";

using walsim_test::read;

long long count_ops(const std::string& toml) {
  const std::regex op(R"(\{ writer = )");
  return std::distance(std::sregex_iterator(toml.begin(), toml.end(), op),
                       std::sregex_iterator());
}

class WalsimAbortTest : public testing::Test {
 protected:
  void SetUp() override {
    if (walsim_test::walsim_binary().empty()) GTEST_SKIP() << "no walsim binary: set WALSIM";
    if (!harness::mutants_available()) GTEST_SKIP() << "the abort hook needs a test build";
    file_ = (fs::path(dir_.path()) / "aborts.toml").string();
    std::ofstream(file_) << kScenario;
  }
  testutil::TempDir dir_;
  std::string file_;
};

TEST_F(WalsimAbortTest, WithoutTheHookTheSeedPasses) {
  const Output o = run("replay " + file_ + " --seed 2");
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("verdict:    pass"), std::string::npos) << o.out;
}

TEST_F(WalsimAbortTest, ReplayReportsTheAbortAsAFailingVerdictWithItsRepro) {
  const Output o = run("replay " + file_ + " --seed 2", kAbort);
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_NE(o.out.find("verdict:    fail"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("the system under test aborted: SIGABRT"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("WAL_ASSERT"), std::string::npos) << o.out;  // its own stderr, intact
  EXPECT_NE(o.out.find("walsim replay " + file_ + " --seed 2"), std::string::npos) << o.out;
}

TEST_F(WalsimAbortTest, RunReportsEachAbortingSeedAndGoesOn) {
  const Output o = run("run " + file_ + " --no-progress --report ''", kAbort);
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_NE(o.out.find("the system under test aborted: SIGABRT"), std::string::npos) << o.out;
  for (const char* seed : {"1", "2", "3"}) {
    EXPECT_NE(o.out.find("walsim replay " + file_ + " --seed " + seed), std::string::npos)
        << o.out;
  }
}

TEST_F(WalsimAbortTest, ExploreReportsTheAbortAsAFailingVerdictWithItsRepro) {
  const Output o = run("explore " + file_ + " --seed 2 --max-states 50", kAbort);
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_NE(o.out.find("the system under test aborted: SIGABRT"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("walsim explore " + file_ + " --seed 2 --max-states 50"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("verdict:      fail"), std::string::npos) << o.out;
}

TEST_F(WalsimAbortTest, ShrinkSavesAShorterScenarioThatStillAborts) {
  const fs::path out = fs::path(dir_.path()) / "aborts.shrunk.toml";
  const Output o = run("shrink " + file_ + " --seed 2 --max-runs 60 -o " + out.string(), kAbort);
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("still fails 'abort'"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("the system under test aborted: SIGABRT"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("WAL_ASSERT"), std::string::npos) << o.out;  // the child's reason
  ASSERT_TRUE(fs::exists(out)) << o.out;
  const std::string shrunk = read(out);
  EXPECT_GT(count_ops(shrunk), 0) << shrunk;
  EXPECT_LT(count_ops(shrunk), 30) << shrunk;
  // The saved scenario aborts under the hook, and is a valid scenario that passes without it.
  const Output again = run("replay " + out.string() + " --seed 2", kAbort);
  EXPECT_EQ(again.code, 1) << again.out;
  EXPECT_NE(again.out.find("aborted"), std::string::npos) << again.out;
  EXPECT_EQ(run("replay " + out.string() + " --seed 2").code, 0);
  // Deterministic: the same seed shrinks to the same file.
  const fs::path second = fs::path(dir_.path()) / "second.toml";
  const Output rerun =
      run("shrink " + file_ + " --seed 2 --max-runs 60 -o " + second.string(), kAbort);
  ASSERT_EQ(rerun.code, 0) << rerun.out;
  EXPECT_EQ(read(second), shrunk);
}

}  // namespace
