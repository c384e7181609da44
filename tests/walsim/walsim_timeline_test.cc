// A failing seed's report says what happened and why, end to end through the built walsim, on
// the bug zoo's skip-dir-sync (the WAL skips the directory sync after making a segment, so a
// power loss can drop the segment's entry with acknowledged entries in it): the timeline holds
// the file-system calls and the crash state in words, the failure text, the timeline and
// `walsim replay --trace` count steps the same way, the diagnosis names the lost directory
// entry, and the WAL's log lines are in the timeline, not on the terminal.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/harness/mutants.h"
#include "testutil/temp_dir.h"
#include "walsim/walsim_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using walsim_test::Output;
using walsim_test::run;
using walsim_test::source_dir;
using walsim_test::walsim_binary;

using walsim_test::read;

class WalsimTimelineTest : public testing::Test {
 protected:
  void SetUp() override {
    if (walsim_binary().empty() || source_dir().empty()) GTEST_SKIP() << "set WALSIM";
    if (!harness::mutants_available()) GTEST_SKIP() << "no mutants in this build";
    scenario_ = source_dir() + "/scenarios/bug-zoo/skip-dir-sync.toml";
  }
  testutil::TempDir dir_;
  std::string scenario_;
};

TEST_F(WalsimTimelineTest, AKeptFailureHasFsRowsCrashWordsAndADiagnosisOfTheLostEntry) {
  const std::string report = dir_.sub("r");
  const Output o = run("run " + scenario_ + " --seeds 12 --jobs 2 --no-progress --report " +
                       report);
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_EQ(o.out.find("[error]"), std::string::npos) << o.out;
  const json j = json::parse(read(fs::path(report) / "summary.json"));
  int kept = 0;
  for (const json& r : j.at("scenarios")[0].at("results")) {
    if (r.at("verdict") == "pass") continue;
    const std::string diagnosis = r.at("diagnosis").get<std::string>();
    // Only the failures whose timeline the report keeps cost the re-runs of a diagnosis.
    EXPECT_EQ(diagnosis.empty(), r.at("timeline").empty()) << r.at("seed");
    if (r.at("timeline").empty()) continue;
    ++kept;
    EXPECT_TRUE(std::regex_search(diagnosis, std::regex("^The power loss dropped the (new entry|"
                                                        "rename) /wal/[^ ]+ .*no sync_dir of "
                                                        "/wal followed it")))
        << diagnosis;
    std::set<std::string> fs_ops;
    bool crash_words = false;
    for (const json& e : r.at("timeline")) {
      if (e.at("kind") == "fs") fs_ops.insert(e.at("label").get<std::string>().substr(0, 6));
      if (e.at("kind") == "crash" && e.at("label") == "/wal") {
        crash_words = e.at("detail").get<std::string>().find(": lost") != std::string::npos;
      }
    }
    // The WAL's writes, its segment renames and its fdatasyncs (and no sync_dir: the bug).
    EXPECT_TRUE(fs_ops.count("write ") && fs_ops.count("rename") && fs_ops.count("sync_d"))
        << r.at("seed");
    EXPECT_TRUE(crash_words) << r.at("timeline").dump();
  }
  EXPECT_EQ(kept, 3);
  const std::string html = read(fs::path(report) / "index.html");
  EXPECT_NE(html.find("<b>Diagnosis:</b> The power loss dropped the "), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"k-fs\">"), std::string::npos);
}

TEST_F(WalsimTimelineTest, ReplaySaysStepsAsTheTimelineAndTheTraceAndPrintsNoLogLines) {
  const Output o = run("replay " + scenario_ + " --seed 2 --trace");
  ASSERT_EQ(o.code, 0) << o.out;  // a bug-zoo catch matches its expectation
  // The WAL's error lines (the power cut poisons the log) are rows of the timeline, at virtual
  // time, and never reach the terminal on their own.
  EXPECT_EQ(o.out.find("[error]"), std::string::npos) << o.out;
  EXPECT_TRUE(std::regex_search(o.out, std::regex(R"(\n +\d+ us  #\d+ +log +wal error  )")))
      << o.out;
  EXPECT_NE(o.out.find("\ndiagnosis: The power loss dropped the "), std::string::npos) << o.out;
  // "[trace step N]" of the failure is event #N of the trace dump and row #N of the timeline:
  // the recovery's last call.
  std::smatch step;
  ASSERT_TRUE(std::regex_search(o.out, step, std::regex(R"(\[trace step (\d+)\])"))) << o.out;
  EXPECT_NE(o.out.find("\n#" + step[1].str() + " close /wal/"), std::string::npos)
      << "step " << step[1] << "\n" << o.out;
  EXPECT_TRUE(std::regex_search(o.out, std::regex(" us  #" + step[1].str() + " +fs +close /wal/")))
      << "step " << step[1] << "\n" << o.out;
  // "acknowledged durable at step N" is a step of the timeline (an fs row, #N).
  std::smatch acked;
  ASSERT_TRUE(std::regex_search(o.out, acked, std::regex(R"(acknowledged durable at step (\d+))")));
  EXPECT_TRUE(std::regex_search(o.out, std::regex(" us  #" + acked[1].str() + " +fs +sync")))
      << "step " << acked[1] << "\n" << o.out;
}

}  // namespace
