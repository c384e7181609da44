// The built walsim binary end to end, on a small suite written here: run, replay, shrink,
// shards + merge, exit codes, and the four report files checked by parsers.
#include <gtest/gtest.h>

#include <sys/vfs.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

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

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// summary.json without its host facts (wall times, command line, shards).
json comparable(const fs::path& summary) {
  json j = json::parse(read(summary));
  j.erase("host");
  return j;
}

constexpr const char* kPassing = R"(name = "small-grouped"
description = "a quick passing scenario"
seeds = 6
[wal]
sync = "grouped"
segment_bytes = 8192
[workload]
writers = 2
ops = 40
entry_bytes = [1, 600]
[crash]
at = "random"
policy = "torn"
[faults]
fsync_eio = 0.05
)";

// A planted failure: the device acknowledges fsync without persisting (lying_fsync).
constexpr const char* kPlanted = R"(name = "planted-lying-fsync"
description = "expected to fail: the harness must catch it"
seeds = 5
[wal]
sync = "grouped"
segment_bytes = 16384
[workload]
writers = 2
ops = 40
entry_bytes = [1, 300]
[device]
lying_fsync = true
[crash]
at = "random"
policy = "drop-unsynced"
[expect]
verdict = "fail"
)";

class WalsimE2eTest : public testing::Test {
 protected:
  void SetUp() override {
    if (walsim_binary().empty()) GTEST_SKIP() << "no walsim binary: set WALSIM";
    suite_ = fs::path(dir_.path()) / "suite";
    write(suite_ / "a-small-grouped.toml", kPassing);
    write(suite_ / "b-planted.toml", kPlanted);
  }

  fs::path report(const std::string& name) const { return fs::path(dir_.path()) / name; }

  testutil::TempDir dir_;
  fs::path suite_;
};

TEST_F(WalsimE2eTest, RunWritesFourReportsAndMatchesExpectations) {
  const Output o = run("run " + suite_.string() + " --no-progress --full-summary --report " +
                       report("r").string());
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("small-grouped"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("OK: 2/2 scenarios matched"), std::string::npos) << o.out;
  for (const char* file : {"summary.json", "junit.xml", "summary.md", "index.html"}) {
    EXPECT_TRUE(fs::exists(report("r") / file)) << file;
  }
  const json j = json::parse(read(report("r") / "summary.json"));
  EXPECT_EQ(j.at("schema"), "walsim-summary/2");
  EXPECT_TRUE(j.at("ok").get<bool>());
  ASSERT_EQ(j.at("scenarios").size(), 2u);
  const json& passing = j.at("scenarios")[0];
  EXPECT_EQ(passing.at("name"), "small-grouped");
  EXPECT_EQ(passing.at("runs"), 6);
  ASSERT_EQ(passing.at("results").size(), 6u);
  for (const json& r : passing.at("results")) {
    EXPECT_EQ(r.at("verdict"), "pass");
    EXPECT_EQ(r.at("trace_hash").get<std::string>().size(), 16u);
    EXPECT_FALSE(r.at("invariants").at("checked").empty()) << r.dump();
    EXPECT_LE(r.at("invariants").at("checked").size(), 10u) << r.dump();
    EXPECT_EQ(r.at("crashes"), 1);
    EXPECT_EQ(r.at("repro"), "walsim replay " + (suite_ / "a-small-grouped.toml").string() +
                                 " --seed " + std::to_string(r.at("seed").get<int>()));
    EXPECT_FALSE(r.at("append_latency_us").empty());
  }
  const json& planted = j.at("scenarios")[1];
  EXPECT_EQ(planted.at("expect").at("verdict"), "fail");
  EXPECT_TRUE(planted.at("matched").get<bool>());
  EXPECT_GT(planted.at("failed").get<int>(), 0);
  EXPECT_GT(planted.at("invariants_violated").at("durability").get<int>(), 0);
  EXPECT_GT(passing.at("append_latency_us").at("count").get<int>(), 0);
}

// Without --full-summary the passing seeds are folded per scenario: the same totals, the
// failing seeds one by one, and a digest of the passing seeds' trace hashes.
TEST_F(WalsimE2eTest, SummaryFoldsPassingSeedsUnlessAskedForEverySeed) {
  ASSERT_EQ(run("run " + suite_.string() + " --no-progress --report " + report("f").string()).code,
            0);
  ASSERT_EQ(run("run " + suite_.string() + " --no-progress --full-summary --report " +
                report("e").string())
                .code,
            0);
  const json folded = comparable(report("f") / "summary.json");
  const json every = comparable(report("e") / "summary.json");
  EXPECT_EQ(folded.at("totals"), every.at("totals"));
  EXPECT_EQ(folded.at("coverage"), every.at("coverage"));
  const json& passing = folded.at("scenarios")[0];
  EXPECT_TRUE(passing.at("results").empty()) << passing.dump();
  EXPECT_EQ(passing.at("passed_runs").at("runs"), 6);
  EXPECT_EQ(passing.at("passed_runs").at("seeds"), json::parse("[[1,6]]"));
  EXPECT_EQ(passing.at("passed_runs").at("trace_digest").get<std::string>().size(), 16u);
  for (const char* key : {"runs", "passed", "crashes", "ops", "faults_injected",
                          "append_latency_us"}) {
    EXPECT_EQ(passing.at(key), every.at("scenarios")[0].at(key)) << key;
  }
  const json& planted = folded.at("scenarios")[1];
  for (const json& r : planted.at("results")) EXPECT_EQ(r.at("verdict"), "fail");
  EXPECT_EQ(planted.at("results").size() + (planted.at("passed_runs").is_null()
                                                ? 0
                                                : planted.at("passed_runs").at("runs").get<int>()),
            5u);
  // A merge of the folded file gives the same file again.
  ASSERT_EQ(run("merge " + (report("f") / "summary.json").string() + " --report " +
                report("m").string())
                .code,
            0);
  EXPECT_EQ(comparable(report("m") / "summary.json"), folded);
}

TEST_F(WalsimE2eTest, ReplayGivesTheSameTraceHashAsTheRun) {
  ASSERT_EQ(run("run " + suite_.string() + " --no-progress --full-summary --report " +
                report("r").string())
                .code,
            0);
  const json j = json::parse(read(report("r") / "summary.json"));
  for (const json& scenario : j.at("scenarios")) {
    const json& r = scenario.at("results")[2];
    const Output o = run("replay " + scenario.at("file").get<std::string>() + " --seed " +
                         std::to_string(r.at("seed").get<int>()));
    EXPECT_EQ(o.code, 0) << o.out;  // matched its expectation, pass or fail
    EXPECT_NE(o.out.find("trace hash: " + r.at("trace_hash").get<std::string>()),
              std::string::npos)
        << o.out << "\nexpected " << r.dump();
    EXPECT_NE(o.out.find(std::string("verdict:    ") + r.at("verdict").get<std::string>()),
              std::string::npos)
        << o.out;
  }
}

TEST_F(WalsimE2eTest, JobsDoNotChangeTheSummary) {
  ASSERT_EQ(run("run " + suite_.string() + " --no-progress --jobs 1 --report " +
                report("j1").string())
                .code,
            0);
  ASSERT_EQ(run("run " + suite_.string() + " --no-progress --jobs 3 --report " +
                report("j3").string())
                .code,
            0);
  EXPECT_EQ(comparable(report("j1") / "summary.json"), comparable(report("j3") / "summary.json"));
}

TEST_F(WalsimE2eTest, MergeOfTwoShardsEqualsTheUnshardedRun) {
  const std::string base = "run " + suite_.string() + " --no-progress --report ";
  ASSERT_EQ(run(base + report("all").string()).code, 0);
  ASSERT_EQ(run(base + report("s0").string() + " --shard 0/2").code, 0);
  // Shard 1/2 of the planted scenario runs seeds 2 and 4: still a catch, still matched.
  ASSERT_EQ(run(base + report("s1").string() + " --shard 1/2 --jobs 2").code, 0);
  const json s0 = comparable(report("s0") / "summary.json");
  EXPECT_EQ(s0.at("scenarios")[0].at("runs"), 3);
  const Output merged = run("merge " + (report("s0") / "summary.json").string() + " " +
                            (report("s1") / "summary.json").string() + " --report " +
                            report("merged").string());
  EXPECT_EQ(merged.code, 0) << merged.out;
  EXPECT_EQ(comparable(report("all") / "summary.json"),
            comparable(report("merged") / "summary.json"));
  const json host = json::parse(read(report("merged") / "summary.json")).at("host");
  EXPECT_EQ(host.at("shards"), (json{"0/2", "1/2"}));
}

TEST_F(WalsimE2eTest, ShrinkOfAPlantedFailureGivesAShorterScenarioThatStillFails) {
  const fs::path file = suite_ / "b-planted.toml";
  const fs::path out = fs::path(dir_.path()) / "min.toml";
  const Output o = run("shrink " + file.string() + " --seed 1 --out " + out.string());
  ASSERT_EQ(o.code, 0) << o.out;
  ASSERT_TRUE(fs::exists(out));
  const std::string text = read(out);
  const std::regex op_line(R"(\{ writer = \d+, index = \d+, kind = ")");
  const auto ops = std::distance(std::sregex_iterator(text.begin(), text.end(), op_line),
                                 std::sregex_iterator());
  EXPECT_GE(ops, 1);
  EXPECT_LT(ops, 40) << text;
  EXPECT_NE(o.out.find("walsim replay " + out.string() + " --seed 1"), std::string::npos) << o.out;
  // It replays from its script and fails the same way, without the generator.
  const Output replay = run("replay " + out.string() + " --seed 1");
  EXPECT_EQ(replay.code, 0) << replay.out;  // expect "fail", and it fails
  EXPECT_NE(replay.out.find("verdict:    fail"), std::string::npos) << replay.out;
  EXPECT_NE(replay.out.find("durability"), std::string::npos) << replay.out;
  // `walsim run` of the shrunk file uses its pinned seed.
  const Output again = run("run " + out.string() + " --no-progress --report \"\"");
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find("seed 1:"), std::string::npos) << again.out;
}

// The number of ops in walsim shrink's "shrunk X ops + Y faults to N ops + ..." line, or -1.
int shrunk_to_ops(const std::string& out) {
  std::smatch match;
  if (!std::regex_search(out, match, std::regex(R"(to (\d+) ops \+ \d+ faults)"))) return -1;
  return std::stoi(match[1]);
}

// A fault counted in calls (the 20th fsync) stays on the call of the op it hit while the ops
// that only led up to it are dropped: the shrinker lowers it (earlier_faults) or puts it back
// where it was among the ops (shrink_anchor.h).
TEST_F(WalsimE2eTest, ShrinkKeepsAFaultCountedInCallsOnTheOpItHit) {
  std::string text = R"(name = "late-fsync-failure"
seeds = 1
mutant = "believe-retried-fsync"
[wal]
segment_bytes = 65536
sync = "grouped"
[faults]
fsync_profile = "ext4"
[expect]
verdict = "fail"
[script]
payload_seed = "0x1"
writers = 1
crash = "op:21"
faults = [{ kind = "fsync_eio", at = 20 }]
ops = [
)";
  for (int i = 0; i < 21; ++i) {
    text += "  { writer = 0, index = " + std::to_string(i) +
            R"(, kind = "append", bytes = [100] },)" + "\n";
  }
  text += "]\n";
  const fs::path file = fs::path(dir_.path()) / "late.toml";
  write(file, text);
  const fs::path out = fs::path(dir_.path()) / "late-min.toml";
  const Output o = run("shrink " + file.string() + " --seed 1 --out " + out.string());
  if (o.out.find("not available in this build") != std::string::npos) {
    GTEST_SKIP() << "no mutants in this build";
  }
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("to 1 ops + 1 faults"), std::string::npos) << o.out;
}

// A crash at fs-op:N refuses the N+1th Fs operation of the whole run: dropping any op before it
// moved it onto another call, so these 16 appends (the swarm's seed 3031 with the FRONT marker
// unlinked before it is synced, as shrunk when the crash point drifted) were 1-minimal. Kept on
// the call of the op it hit, the appends that only led up to it go. (Recorded before
// background rotation existed: its Fs calls, and so fs-op:256, are those of the synced one.)
TEST_F(WalsimE2eTest, ShrinkKeepsAnFsOpCrashOnTheCallOfTheOpItHit) {
  const std::vector<int> indices = {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 14, 15, 17, 18, 19};
  const std::vector<int> bytes = {12589, 57473, 23122, 45854, 21953, 22478, 31343, 50114,
                                  27598, 53643, 18576, 50718, 20424, 52548, 52577, 12817};
  std::string text = R"(name = "front-unlinked-early"
seeds = 1
mutant = "unlink-before-front-synced"
[wal]
segment_bytes = 65536
max_segments = 2
background_rotation = false
[expect]
verdict = "fail"
[script]
payload_seed = "0x9dea9158f101fb1f"
writers = 1
crash = "fs-op:256"
ops = [
)";
  for (std::size_t i = 0; i < indices.size(); ++i) {
    text += "  { writer = 0, index = " + std::to_string(indices[i]) +
            R"(, kind = "append", bytes = [)" + std::to_string(bytes[i]) + "] },\n";
  }
  text += "]\n";
  const fs::path file = fs::path(dir_.path()) / "front.toml";
  write(file, text);
  const fs::path out = fs::path(dir_.path()) / "front-min.toml";
  const Output o = run("shrink " + file.string() + " --seed 3031 --out " + out.string());
  if (o.out.find("not available in this build") != std::string::npos) {
    GTEST_SKIP() << "no mutants in this build";
  }
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("shrunk 16 ops + 0 faults"), std::string::npos) << o.out;
  const int ops = shrunk_to_ops(o.out);
  EXPECT_GE(ops, 1) << o.out;
  EXPECT_LE(ops, 8) << o.out;
  const Output replay = run("replay " + out.string() + " --seed 3031");
  EXPECT_EQ(replay.code, 0) << replay.out;  // expect "fail", and it fails
}

TEST_F(WalsimE2eTest, ShrinkOfAPassingSeedSaysSo) {
  const Output o = run("shrink " + (suite_ / "a-small-grouped.toml").string() + " --seed 1");
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_NE(o.out.find("nothing to shrink"), std::string::npos) << o.out;
}

TEST_F(WalsimE2eTest, AnUnexpectedFailureExitsOneAndPrintsEveryReproCommand) {
  std::string text = kPlanted;
  text.replace(text.find("verdict = \"fail\""), 16, "verdict = \"pass\"");
  write(fs::path(dir_.path()) / "bad" / "x.toml", text);
  const Output o = run("run " + (fs::path(dir_.path()) / "bad").string() +
                       " --no-progress --report " + report("bad").string());
  EXPECT_EQ(o.code, 1) << o.out;
  const json j = json::parse(read(report("bad") / "summary.json"));
  EXPECT_FALSE(j.at("ok").get<bool>());
  const std::string html = read(report("bad") / "index.html");
  int failing = 0;
  for (const json& r : j.at("scenarios")[0].at("results")) {
    if (r.at("verdict") == "pass") continue;
    ++failing;
    const std::string repro = "walsim replay " + (fs::path(dir_.path()) / "bad" / "x.toml").string() +
                              " --seed " + std::to_string(r.at("seed").get<int>());
    EXPECT_EQ(r.at("repro"), repro);
    EXPECT_NE(o.out.find(repro), std::string::npos) << o.out;
    EXPECT_NE(html.find(repro), std::string::npos) << repro;
    // The first three failing seeds keep their timeline (ops, faults, crash point).
    EXPECT_EQ(r.at("timeline").empty(), failing > 3) << r.at("seed");
  }
  EXPECT_GT(failing, 0);
  const std::string junit = read(report("bad") / "junit.xml");
  EXPECT_NE(junit.find("<failure"), std::string::npos);
}

TEST_F(WalsimE2eTest, FailFastStopsEarly) {
  std::string text = kPlanted;
  text.replace(text.find("verdict = \"fail\""), 16, "verdict = \"pass\"");
  text.replace(text.find("seeds = 5"), 9, "seeds = 50");
  write(fs::path(dir_.path()) / "ff" / "x.toml", text);
  const Output o = run("run " + (fs::path(dir_.path()) / "ff").string() + " --no-progress --fail-fast " +
                       "--report " + report("ff").string());
  EXPECT_EQ(o.code, 1) << o.out;
  const json j = json::parse(read(report("ff") / "summary.json"));
  EXPECT_LT(j.at("scenarios")[0].at("runs").get<int>(), 50);
}

TEST_F(WalsimE2eTest, ReportsAreWellFormedAndTheHtmlIsSelfContained) {
  ASSERT_EQ(run("run " + suite_.string() + " --no-progress --report " + report("r").string()).code,
            0);
  if (std::system("python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 not available for the XML parser";
  }
  // junit.xml: parsed by a real XML parser, one testcase per scenario.
  const std::string check_junit =
      "python3 -c \"import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); "
      "cases = r.findall('.//testcase'); assert r.tag == 'testsuites', r.tag; "
      "assert len(cases) == 2, len(cases); "
      "assert all(c.get('name') and c.get('classname') for c in cases)\" " +
      (report("r") / "junit.xml").string();
  EXPECT_EQ(std::system(check_junit.c_str()), 0);
  // index.html is also well-formed XML (every element closed, attributes quoted).
  const std::string check_html =
      "python3 -c \"import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])\" " +
      (report("r") / "index.html").string();
  EXPECT_EQ(std::system(check_html.c_str()), 0);
  const std::string html = read(report("r") / "index.html");
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  // Every failing seed (the planted scenario's) is on the page with its repro command.
  const json j = json::parse(read(report("r") / "summary.json"));
  for (const json& r : j.at("scenarios")[1].at("results")) {
    if (r.at("verdict") == "fail") {
      EXPECT_NE(html.find(r.at("repro").get<std::string>()), std::string::npos) << r.at("seed");
    }
  }
  const std::string md = read(report("r") / "summary.md");
  EXPECT_NE(md.find("| small-grouped | pass | 6 |"), std::string::npos) << md;
}

TEST_F(WalsimE2eTest, ValidateAndUsageErrorsHaveTheirExitCodes) {
  write(fs::path(dir_.path()) / "typo.toml", "name = \"t\"\n[workload]\nopz = 3\n");
  Output o = run("validate " + (fs::path(dir_.path()) / "typo.toml").string());
  EXPECT_EQ(o.code, 4) << o.out;
  EXPECT_NE(o.out.find("typo.toml:3: unknown key 'workload.opz'"), std::string::npos) << o.out;
  write(fs::path(dir_.path()) / "type.toml", "name = \"t\"\nseeds = \"x\"\n");
  EXPECT_EQ(run("validate " + (fs::path(dir_.path()) / "type.toml").string()).code, 5);
  write(fs::path(dir_.path()) / "range.toml", "name = \"t\"\nseeds = 0\n");
  EXPECT_EQ(run("validate " + (fs::path(dir_.path()) / "range.toml").string()).code, 6);
  write(fs::path(dir_.path()) / "syntax.toml", "name = \n");
  EXPECT_EQ(run("validate " + (fs::path(dir_.path()) / "syntax.toml").string()).code, 3);
  write(fs::path(dir_.path()) / "missing.toml", "seeds = 3\n");
  EXPECT_EQ(run("validate " + (fs::path(dir_.path()) / "missing.toml").string()).code, 7);
  write(fs::path(dir_.path()) / "mutant.toml", "name = \"t\"\nmutant = \"gremlin\"\n");
  EXPECT_EQ(run("validate " + (fs::path(dir_.path()) / "mutant.toml").string()).code, 6);
  // walsim links the examples' targets; a name that is no target at all is out of range.
  write(fs::path(dir_.path()) / "kv.toml", "name = \"t\"\ntarget = \"kv\"\n");
  EXPECT_EQ(run("validate " + (fs::path(dir_.path()) / "kv.toml").string()).code, 0);
  write(fs::path(dir_.path()) / "pg.toml", "name = \"t\"\ntarget = \"postgres\"\n");
  EXPECT_EQ(run("validate " + (fs::path(dir_.path()) / "pg.toml").string()).code, 6);
  EXPECT_EQ(run("validate " + (fs::path(dir_.path()) / "nope.toml").string()).code, 9);
  o = run("validate " + suite_.string());
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("frobnicate").code, 2);
  EXPECT_EQ(run("run " + suite_.string() + " --shard 2/2").code, 2);
  EXPECT_EQ(run("replay " + (suite_ / "b-planted.toml").string()).code, 2);  // no --seed
  EXPECT_EQ(run("--help").code, 0);
}

// The number after `label` on its own output line, or -1.
long long count_after(const std::string& out, const std::string& label) {
  const std::size_t at = out.find(label);
  if (at == std::string::npos) return -1;
  return std::strtoll(out.c_str() + at + label.size(), nullptr, 10);
}

TEST_F(WalsimE2eTest, ExploreOfAPassingScenarioChecksEveryStateAndPasses) {
  const Output o = run("explore " + (suite_ / "a-small-grouped.toml").string() +
                       " --max-states 400");
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_GT(count_after(o.out, "states:"), 0) << o.out;
  EXPECT_GT(count_after(o.out, "crash points:"), 0) << o.out;
  EXPECT_NE(o.out.find("0 failed"), std::string::npos) << o.out;
}

TEST_F(WalsimE2eTest, ExploreFindsTheLyingFsyncCanary) {
  if (source_dir().empty()) GTEST_SKIP() << "no source dir: set WAL_SOURCE_DIR";
  const std::string file = source_dir() + "/scenarios/chaos/canary-lying-fsync.toml";
  const Output o = run("explore " + file + " --max-states 400");
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_NE(o.out.find("FAIL first failing state: crash fs-op:"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("durability"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("repro: walsim explore " + file + " --seed 1"), std::string::npos)
      << o.out;
}

// Exploration works for a registered target as for the WAL (each state is the same run again,
// its power loss leaving that state): the honest kv store passes every state, and its planted
// double-apply fails some.
TEST_F(WalsimE2eTest, ExploreCoversARegisteredTargetAndCatchesItsPlantedBug) {
  const std::string config =
      "target = \"kv\"\n[wal]\nsync = \"grouped\"\nsegment_bytes = 4096\nbuffer_bytes = 1024\n"
      "[workload]\nops = 12\nentry_bytes = [1, 48]\ncheckpoint_every = 5\n";
  write(fs::path(dir_.path()) / "kv.toml", "name = \"kv\"\n" + config);
  const Output honest = run("explore " + (fs::path(dir_.path()) / "kv.toml").string());
  EXPECT_EQ(honest.code, 0) << honest.out;
  EXPECT_NE(honest.out.find(" 0 failed"), std::string::npos) << honest.out;
  EXPECT_EQ(honest.out.find("states:       0 "), std::string::npos) << honest.out;
  if (!harness::mutants_available()) GTEST_SKIP() << "needs WAL_FIU";
  write(fs::path(dir_.path()) / "bug.toml",
        "name = \"bug\"\nmutant = \"examples/kv/double-apply\"\n" + config +
            "[expect]\nverdict = \"fail\"\n");
  const Output bug = run("explore " + (fs::path(dir_.path()) / "bug.toml").string());
  EXPECT_NE(bug.out.find("FAIL first failing state: crash fs-op:"), std::string::npos) << bug.out;
  EXPECT_NE(bug.out.find("kv-state"), std::string::npos) << bug.out;
}

TEST_F(WalsimE2eTest, RealKillRunsEachSeedOnTheDiskAndPasses) {
  const Output o = run("real " + (suite_ / "a-small-grouped.toml").string() + " --kill --seeds 2" +
                       " --dir " + (fs::path(dir_.path()) / "real").string());
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("kill seed 1"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("summary: 2 run(s), 2 passed, 0 failed"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("fiu  seed"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("diff seed"), std::string::npos) << o.out;
}

// The WAL's own error logs (an injected EIO poisons the log) stay off the verdict lines.
TEST_F(WalsimE2eTest, RealFiuPrintsVerdictsNotTheWalsLogs) {
  const Output o = run("real " + (suite_ / "a-small-grouped.toml").string() + " --fiu --seeds 3" +
                       " --dir " + (fs::path(dir_.path()) / "real").string());
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("summary: 3 run(s), 3 passed, 0 failed"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("faults"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("[wal]"), std::string::npos) << o.out;
}

TEST_F(WalsimE2eTest, RealDiffMatchesPosixFsAndSimFsForEachSeed) {
  const std::string file = (suite_ / "a-small-grouped.toml").string();
  const Output o = run("real " + file + " --diff --seeds 2 --dir " +
                       (fs::path(dir_.path()) / "real").string());
  EXPECT_EQ(o.code, 0) << o.out;
  const std::regex ok_line("diff seed 2 +OK  fs: \\d+ calls, \\d+ file checks; wal: \\d+ calls, "
                           "\\d+ file checks, \\d+ entries recovered alike");
  EXPECT_TRUE(std::regex_search(o.out, ok_line)) << o.out;
  EXPECT_NE(o.out.find("diff seed 1      OK"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("summary: diff 2 seed(s), 2 matched, 0 mismatched"), std::string::npos)
      << o.out;
  EXPECT_EQ(o.out.find("kill seed"), std::string::npos) << o.out;
  // Each seed's directory is removed once it matched, and the run's own with it.
  EXPECT_TRUE(fs::is_empty(fs::path(dir_.path()) / "real")) << o.out;
  // One seed alone, as a failure's repro line runs it.
  const Output one = run("real " + file + " --diff --seed 7 --dir " +
                         (fs::path(dir_.path()) / "real").string());
  EXPECT_EQ(one.code, 0) << one.out;
  EXPECT_NE(one.out.find("diff seed 7      OK"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("summary: diff 1 seed(s), 1 matched"), std::string::npos) << one.out;
}

// The canary plants a SimFs that drops a write: each seed must name the op, the file and the
// offset where the sides differ, on a line that ends with the command reproducing it.
TEST_F(WalsimE2eTest, RealDiffCanaryReportsEachMismatchWithItsRepro) {
  const std::string file = (suite_ / "a-small-grouped.toml").string();
  const std::string dir = (fs::path(dir_.path()) / "real").string();
  const Output o = run("real " + file + " --diff-canary --seeds 2 --dir " + dir);
  // A canary that is caught is a differential that works: exit 0, said in words.
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("canary caught, as expected: all 2 seed(s) mismatched"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("summary: diff 2 seed(s), 0 matched, 2 mismatched"), std::string::npos)
      << o.out;
  const std::regex wal_line("diff seed (\\d+) +MISMATCH  wal: after op \\d+ [a-z_ ]+: file "
                            "wal/\\S+ offset \\d+: real 0x[0-9a-f]{2}, sim 0x[0-9a-f]{2} "
                            "\\(size \\d+\\)  repro: (.*)");
  int mismatches = 0;
  std::istringstream lines(o.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("MISMATCH") == std::string::npos) continue;
    ++mismatches;
    const std::string seed = line.substr(10, line.find(' ', 10) - 10);
    EXPECT_TRUE(line.ends_with("  repro: walsim real " + file + " --diff-canary --seed " + seed +
                               " --dir " + dir))
        << line;
    std::smatch match;
    if (line.find("MISMATCH  wal:") != std::string::npos) {
      EXPECT_TRUE(std::regex_match(line, match, wal_line)) << line;
    }
  }
  EXPECT_GE(mismatches, 2) << o.out;
  EXPECT_NE(o.out.find("MISMATCH  wal: "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  kept: " + dir), std::string::npos) << o.out;
  const std::size_t kept = o.out.find("  kept: ");
  ASSERT_NE(kept, std::string::npos) << o.out;
  const std::size_t from = kept + 8;
  const std::string kept_dir = o.out.substr(from, o.out.find('\n', from) - from);
  EXPECT_TRUE(fs::exists(fs::path(kept_dir) / "fs")) << kept_dir << ": a kept seed's files";
}

TEST_F(WalsimE2eTest, RealDiffRefusesTmpfsAndOtherTargets) {
  struct statfs shm {};
  // linux/magic.h's TMPFS_MAGIC.
  if (::statfs("/dev/shm", &shm) == 0 && static_cast<long>(shm.f_type) == 0x01021994) {
    const Output o = run("real " + (suite_ / "a-small-grouped.toml").string() +
                         " --diff --dir /dev/shm/walsim-e2e-diff");
    EXPECT_EQ(o.code, 8) << o.out;
    EXPECT_NE(o.out.find("tmpfs"), std::string::npos) << o.out;
    std::error_code ignored;
    fs::remove_all("/dev/shm/walsim-e2e-diff", ignored);
  }
  write(fs::path(dir_.path()) / "kv.toml", "name = \"t\"\ntarget = \"kv\"\n");
  EXPECT_EQ(run("real " + (fs::path(dir_.path()) / "kv.toml").string() + " --diff").code, 8);
}

TEST_F(WalsimE2eTest, ShippedChaosSuiteIsValid) {
  if (source_dir().empty()) GTEST_SKIP() << "no source dir: set WAL_SOURCE_DIR";
  const Output o = run("validate " + source_dir() + "/scenarios/chaos");
  EXPECT_EQ(o.code, 0) << o.out;
  int files = 0;
  for (std::size_t at = 0; (at = o.out.find("ok: ", at)) != std::string::npos; ++at) ++files;
  EXPECT_GE(files, 20) << o.out;
}

}  // namespace
