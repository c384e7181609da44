// The trace hashes of a fixed seed set, pinned in tests/golden/trace-hashes.txt: seeds 1-3 of
// every scenario of the default chaos suite and the bug zoo, and seeds 1-20 of a swarm with
// media faults (tests/golden/swarm.toml), as `walsim run` reports them. A
// run is a pure function of (scenario, seed), so a hash that differs on another machine, libc
// or compiler is a determinism bug (an unordered iteration, a std:: distribution, the wall
// clock) and fails here. A deliberate change to what a run does updates the file in its
// commit: WAL_UPDATE_GOLDEN=1 rewrites it and says how many hashes moved.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "testutil/temp_dir.h"
#include "walsim/walsim_process.h"

namespace {

using walsim_test::source_dir;
using walsim_test::walsim_binary;

using Hashes = std::map<std::string, std::string>;  // "<file> <seed>" -> hash

Hashes read_golden(const std::string& path) {
  Hashes hashes;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t last = line.rfind(' ');
    if (last == std::string::npos) continue;
    hashes[line.substr(0, last)] = line.substr(last + 1);
  }
  return hashes;
}

// `walsim run ARGS` from the source tree; the trace hash of each (file, seed) it ran.
void collect(const std::string& args, const std::string& report, Hashes& actual) {
  const std::string command = "cd " + source_dir() + " && " + walsim_binary() + " run " + args +
                              " --jobs 2 --no-progress --full-summary --report " + report + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << command;
  std::ifstream summary_file(report + "/summary.json");
  ASSERT_TRUE(summary_file.good()) << command;
  const nlohmann::json summary = nlohmann::json::parse(summary_file);
  for (const auto& scenario : summary.at("scenarios")) {
    for (const auto& result : scenario.at("results")) {
      actual[result.at("file").get<std::string>() + " " +
             std::to_string(result.at("seed").get<std::uint64_t>())] =
          result.at("trace_hash").get<std::string>();
    }
  }
}

TEST(GoldenTraces, SeedsOneToThreeOfEveryScenarioHashAsPinned) {
  testutil::TempDir tmp;
  Hashes actual;
  collect("scenarios/chaos scenarios/bug-zoo scenarios/sqlite --seeds 3", tmp.sub("report"), actual);
  // And seeds 1-20 of a swarm (tests/golden/swarm.toml): the drawing of whole configurations.
  collect("tests/golden/swarm.toml", tmp.sub("swarm"), actual);
  ASSERT_FALSE(actual.empty());

  const std::string golden = source_dir() + "/tests/golden/trace-hashes.txt";
  const Hashes pinned = read_golden(golden);
  if (std::getenv("WAL_UPDATE_GOLDEN") != nullptr) {
    std::size_t moved = 0;
    std::ofstream out(golden, std::ios::trunc);
    out << "# walsim run scenarios/chaos scenarios/bug-zoo scenarios/sqlite --seeds 3, and walsim run "
           "tests/golden/swarm.toml: <file> <seed> <trace hash>\n"
        << "# Checked by tests/walsim/golden_trace_test.cc; WAL_UPDATE_GOLDEN=1 rewrites it.\n";
    for (const auto& [run, hash] : actual) {
      out << run << " " << hash << "\n";
      const auto it = pinned.find(run);
      moved += it == pinned.end() || it->second != hash;
    }
    std::printf("rewrote %s: %zu runs, %zu hashes new or moved\n", golden.c_str(), actual.size(),
                moved);
    return;
  }
  ASSERT_FALSE(pinned.empty()) << golden << " is missing: run with WAL_UPDATE_GOLDEN=1";
  std::size_t differing = 0;
  for (const auto& [run, hash] : actual) {
    const auto it = pinned.find(run);
    if (it == pinned.end()) {
      ADD_FAILURE() << run << ": not pinned (a new scenario? WAL_UPDATE_GOLDEN=1)";
    } else if (it->second != hash) {
      if (++differing <= 10) {
        ADD_FAILURE() << run << ": trace hash " << hash << ", pinned " << it->second
                      << " (reproduce: walsim replay " << run.substr(0, run.rfind(' '))
                      << " --seed " << run.substr(run.rfind(' ') + 1) << ")";
      }
    }
  }
  for (const auto& [run, hash] : pinned) {
    if (actual.count(run) == 0) ADD_FAILURE() << run << ": pinned but not run (a removed scenario?)";
  }
  EXPECT_EQ(differing, 0u) << "trace hashes differ from " << golden
                           << ": a determinism bug, or a deliberate change that must update it";
}

}  // namespace
