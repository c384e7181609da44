// What walsim leaves behind and prints around the verdicts (the newcomer's first hour): a
// progress line on stderr even when it is not a terminal, a report folder per run with `latest`
// pointing at the newest, and shrunk scenarios saved beside the reports, never into the suite.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "testutil/temp_dir.h"
#include "walsim/walsim_process.h"

namespace {

namespace fs = std::filesystem;
using walsim_test::walsim_binary;

using walsim_test::read;

constexpr const char* kSmallToml = R"(name = "small"
seeds = 4
[wal]
sync = "grouped"
[workload]
writers = 2
ops = 30
entry_bytes = [1, 300]
[crash]
at = "random"
policy = "torn"
)";

// A planted failure to shrink: the device acknowledges fsync without persisting.
constexpr const char* kPlantedToml = R"(name = "planted"
seeds = 2
[wal]
sync = "grouped"
[workload]
writers = 1
ops = 30
entry_bytes = [1, 300]
[device]
lying_fsync = true
[crash]
at = "random"
policy = "drop-unsynced"
[expect]
verdict = "fail"
)";

class WalsimCliOutputTest : public testing::Test {
 protected:
  void SetUp() override {
    if (walsim_binary().empty()) GTEST_SKIP() << "no walsim binary: set WALSIM";
    cwd_ = fs::path(dir_.path()) / "work";
    fs::create_directories(cwd_ / "suite");
    std::ofstream(cwd_ / "suite" / "small.toml") << kSmallToml;
    std::ofstream(cwd_ / "suite" / "planted.toml") << kPlantedToml;
  }

  // `walsim ARGS` run in cwd_, stdout and stderr each to their own file (neither a terminal).
  int walsim(const std::string& args) {
    const std::string command = "cd " + cwd_.string() + " && " + walsim_binary() + " " + args +
                                " >out.txt 2>err.txt";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string out() const { return read(cwd_ / "out.txt"); }
  std::string err() const { return read(cwd_ / "err.txt"); }

  testutil::TempDir dir_;
  fs::path cwd_;
};

TEST_F(WalsimCliOutputTest, ProgressOnAPipeIsPlainLinesOnStderr) {
  ASSERT_EQ(walsim("run suite/small.toml --report r"), 0) << out() << err();
  const std::string e = err();
  // A first line as the work starts and a last one at the end; no terminal control codes.
  EXPECT_NE(e.find("walsim: 0/1 scenarios, 0/4 runs, 0 failing (0 unexpected), "),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("walsim: 1/1 scenarios, 4/4 runs, 0 failing (0 unexpected), "),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find('\r'), std::string::npos) << e;
  EXPECT_EQ(e.find("\033["), std::string::npos) << e;
  // stdout has the verdicts, not the progress.
  EXPECT_EQ(out().find("walsim: 0/1"), std::string::npos) << out();
  ASSERT_EQ(walsim("run suite/small.toml --report r --no-progress"), 0) << out() << err();
  EXPECT_EQ(err(), "");
}

TEST_F(WalsimCliOutputTest, EachRunGetsItsOwnReportFolderAndLatestPointsAtTheNewest) {
  // An older walsim wrote into reports/out/latest itself: that report is moved aside, not lost.
  fs::create_directories(cwd_ / "reports/out/latest");
  std::ofstream(cwd_ / "reports/out/latest/summary.json") << "old";
  ASSERT_EQ(walsim("run suite/small.toml"), 0) << out() << err();
  ASSERT_EQ(walsim("run suite/small.toml --seeds 2"), 0) << out() << err();
  int runs = 0;
  fs::path newest;
  for (const auto& entry : fs::directory_iterator(cwd_ / "reports/out")) {
    const std::string name = entry.path().filename().string();
    if (!std::regex_match(name, std::regex(R"(\d{8}-\d{6}-run(-\d+)?)"))) continue;
    ++runs;
    EXPECT_TRUE(fs::exists(entry.path() / "summary.json")) << name;
    if (read(entry.path() / "summary.json").find("\"runs\":2") != std::string::npos) {
      newest = entry.path();
    }
  }
  EXPECT_EQ(runs, 2);
  ASSERT_FALSE(newest.empty());
  const fs::path latest = cwd_ / "reports/out/latest";
  ASSERT_TRUE(fs::is_symlink(latest));
  EXPECT_EQ(fs::read_symlink(latest), newest.filename());
  EXPECT_EQ(read(cwd_ / "reports/out/latest.old/summary.json"), "old");
  EXPECT_NE(out().find("reports/out/latest points at it"), std::string::npos) << out();
  // An explicit --report is used as given, and no link moves.
  ASSERT_EQ(walsim("run suite/small.toml --report mine"), 0) << out() << err();
  EXPECT_TRUE(fs::exists(cwd_ / "mine/index.html"));
  EXPECT_EQ(fs::read_symlink(latest), newest.filename());
}

TEST_F(WalsimCliOutputTest, ShrinkSavesBesideTheReportsNotIntoTheSuite) {
  ASSERT_EQ(walsim("shrink suite/planted.toml --seed 1"), 0) << out() << err();
  const fs::path saved = cwd_ / "reports/out/shrunk/planted-seed1.shrunk.toml";
  EXPECT_TRUE(fs::exists(saved));
  EXPECT_NE(out().find("saved: reports/out/shrunk/planted-seed1.shrunk.toml"), std::string::npos)
      << out();
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(cwd_ / "suite")) ++files;
  EXPECT_EQ(files, 2);  // the suite is as it was
  // The saved file replays the failure on its own.
  EXPECT_EQ(walsim("replay reports/out/shrunk/planted-seed1.shrunk.toml --seed 1"), 0) << out();
  EXPECT_NE(out().find("verdict:    fail"), std::string::npos) << out();
}

}  // namespace
