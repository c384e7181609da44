// The coverage matrix (sim/harness/coverage_matrix.h, sim/walsim/scenario_coverage.h): a crash
// lands in the cell that names where it happened, every cell runs reach is one the rule lists,
// shards' matrices add up in a merge, `walsim swarm --until-covered` stops once its cells are
// reached, steering picks the seeds that can reach what is missing, and a target's cells are
// its own.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/harness/coverage_matrix.h"
#include "sim/harness/quiet_log.h"
#include "sim/harness/runner.h"
#include "sim/walsim/scenario_coverage.h"
#include "sim/walsim/scenario_swarm.h"
#include "testutil/temp_dir.h"
#include "walsim/walsim_process.h"

namespace walsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::map<std::string, std::uint64_t> crash_cells(const harness::RunResult& result) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& [cell, hits] : result.coverage) {
    if (cell.rfind("crash/", 0) == 0) out.emplace(cell, hits);
  }
  return out;
}

// One writer appends into 4 KiB segments, syncing each entry, then truncates the log's front
// at its durable end: the truncate drops whole segments through FRONT.tmp, a rename, unlinks
// and directory syncs.
harness::RunConfig truncating_run() {
  harness::RunConfig config;
  config.wal.segment_bytes = 4096;
  config.wal.sync = wal::SyncPolicy::kImmediate;
  config.crash.power_loss.policy = faults::CrashPolicy::kTorn;
  harness::Script script;
  script.payload_seed = 7;
  script.writers.emplace_back();
  std::uint32_t index = 0;
  for (; index < 30; ++index) {
    harness::Op append;
    append.index = index;
    append.entry_bytes = {300};
    script.writers[0].push_back(append);
  }
  harness::Op truncate;
  truncate.kind = harness::OpKind::kTruncate;
  truncate.index = index;
  truncate.position_ppm = 1'000'000;
  script.writers[0].push_back(truncate);
  config.script = script;
  return config;
}

TEST(CoverageMatrix, AnFsOpCrashInsideTruncateFrontLandsInItsCell) {
  harness::quiet_wal_log();  // every cut poisons the log, which says so
  harness::RunConfig config = truncating_run();
  std::set<std::string> reached;
  std::uint64_t n = 0;
  for (;; ++n) {
    config.script->crash = {harness::CrashAt::Kind::kFsOp, n};
    const harness::RunResult result = harness::run_simulation(config, 1);
    ASSERT_TRUE(result.passed) << "fs-op:" << n << ": " << result.failure;
    if (result.script.crash.kind != harness::CrashAt::Kind::kFsOp) break;  // past the last call
    const std::map<std::string, std::uint64_t> cells = crash_cells(result);
    ASSERT_EQ(cells.size(), 1u) << "fs-op:" << n;
    EXPECT_EQ(cells.begin()->second, 1u);
    // Every cell reached is one the rule lists for this configuration.
    const std::vector<std::string> listed = harness::listed_cells(harness::coverage_space(config));
    EXPECT_NE(std::find(listed.begin(), listed.end(), cells.begin()->first), listed.end())
        << "fs-op:" << n << " reached " << cells.begin()->first << ", which is not listed";
    reached.insert(cells.begin()->first);
  }
  EXPECT_GT(n, 60u);
  // The first call of a run is the first open's stat of the directory.
  EXPECT_TRUE(reached.count("crash/open/stat/torn"));
  for (const char* at : {"open", "truncate", "write", "sync", "rename", "sync_dir", "unlink"}) {
    EXPECT_TRUE(reached.count(std::string("crash/truncate_front/") + at + "/torn"))
        << "no cut inside truncate_front's " << at;
  }
  // The appends' own cells: their group's write and fdatasync, and the rotations between.
  EXPECT_TRUE(reached.count("crash/append/sync_data/torn"));
  EXPECT_TRUE(reached.count("crash/rotation/rename/torn"));
  EXPECT_FALSE(reached.count("crash/append/rename/torn"));
}

TEST(CoverageMatrix, APowerLossBetweenOpsNamesTheOpItFollowedAndFaultsTheirRecoveryMode) {
  harness::RunConfig config = truncating_run();
  config.wal.recovery = wal::RecoveryMode::kPointInTime;
  config.crash.power_loss.policy = faults::CrashPolicy::kPrefix;
  config.script->crash = {harness::CrashAt::Kind::kOp, 30};  // before the truncate starts
  config.script->faults.push_back(harness::scripted_fault(harness::FaultKind::kReadEio, 1));
  const harness::RunResult result = harness::run_simulation(config, 1);
  EXPECT_EQ(result.coverage.count("crash/append/between-ops/prefix"), 1u);
  EXPECT_EQ(crash_cells(result).size(), 1u);
  EXPECT_EQ(result.coverage.count("fault/read_eio/point-in-time"), 1u);
}

// The reachability rule against the runs: 120 swarm seeds reach no cell their own drawn
// configuration does not list, and what any seed draws is within the swarm's listed space.
TEST(CoverageMatrix, EveryCellASwarmSeedReachesIsListedForIt) {
  harness::quiet_wal_log();
  const Scenario swarm = swarm_scenario("wal", std::nullopt);
  const std::vector<std::string> space = listed_cells({swarm});
  const std::set<std::string> space_set(space.begin(), space.end());
  std::size_t reached = 0;
  for (std::uint64_t seed = 1; seed <= 120; ++seed) {
    const std::vector<std::string> mine = seed_cells(swarm, seed);
    for (const std::string& cell : mine) {
      EXPECT_TRUE(space_set.count(cell)) << "seed " << seed << " lists " << cell;
    }
    std::string error;
    const std::optional<Scenario> drawn = for_seed(swarm, seed, &error);
    ASSERT_TRUE(drawn.has_value()) << error;
    const harness::RunResult result = harness::run_simulation(drawn->config, seed);
    for (const auto& [cell, hits] : result.coverage) {
      EXPECT_NE(std::find(mine.begin(), mine.end(), cell), mine.end())
          << "seed " << seed << " reached " << cell << ", which its configuration does not list";
      ++reached;
    }
  }
  EXPECT_GT(reached, 120u);
}

TEST(CoverageMatrix, PatternsMatchWholeCells) {
  EXPECT_TRUE(harness::cell_matches("*", "crash/append/write/torn"));
  EXPECT_TRUE(harness::cell_matches("crash/*/write/*", "crash/append/write/torn"));
  EXPECT_TRUE(harness::cell_matches("crash/truncate_front/*", "crash/truncate_front/open/prefix"));
  EXPECT_FALSE(harness::cell_matches("crash/truncate_front/*", "crash/append/write/torn"));
  EXPECT_FALSE(harness::cell_matches("crash/*/write", "crash/append/write/torn"));
  EXPECT_TRUE(harness::cell_matches("fault/*/absolute", "fault/fsync_eio/absolute"));
}

TEST(Steering, PrefersTheCandidateWhoseCellsAreUnreached) {
  const std::vector<Candidate> pool = {
      {1, {"crash/append/write/torn", "crash/append/sync/torn"}},
      {2, {"crash/append/write/prefix"}},
      {3, {"crash/read/read/torn"}},
  };
  const std::set<std::string> reached = {"crash/append/write/torn", "crash/append/sync/torn",
                                         "crash/read/read/torn"};
  EXPECT_EQ(steer(pool, reached, 1), (std::vector<std::uint64_t>{2}));
  // Nothing left to find: the lowest seeds, in order.
  const std::set<std::string> all = {"crash/append/write/torn", "crash/append/sync/torn",
                                     "crash/read/read/torn", "crash/append/write/prefix"};
  EXPECT_EQ(steer(pool, all, 2), (std::vector<std::uint64_t>{1, 2}));
  // Two candidates for one missing cell: a round spreads over the other missing cells first.
  const std::vector<Candidate> twins = {
      {1, {"fault/read_eio/absolute"}}, {2, {"fault/read_eio/absolute"}},
      {3, {"fault/write_eio/absolute"}}};
  EXPECT_EQ(steer(twins, {}, 2), (std::vector<std::uint64_t>{1, 3}));
}

TEST(Steering, PicksSwarmSeedsThatDrawTheMissingPolicy) {
  const Scenario swarm = swarm_scenario("wal", std::nullopt);
  std::set<std::string> reached;
  for (const std::string& cell : listed_cells({swarm})) {
    if (cell.find("/prefix") == std::string::npos) reached.insert(cell);
  }
  std::vector<Candidate> pool;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) pool.push_back({seed, seed_cells(swarm, seed)});
  const std::vector<std::uint64_t> chosen = steer(pool, reached, 12);
  ASSERT_EQ(chosen.size(), 12u);
  for (std::uint64_t seed : chosen) {
    EXPECT_EQ(draw_for_seed(swarm, seed).config.crash.power_loss.policy,
              faults::CrashPolicy::kPrefix)
        << "seed " << seed;
  }
}

class CoverageCli : public testing::Test {
 protected:
  void SetUp() override {
    if (walsim_test::walsim_binary().empty()) GTEST_SKIP() << "no walsim binary: set WALSIM";
  }
  fs::path report(const std::string& name) const { return fs::path(dir_.path()) / name; }
  json summary(const std::string& name) const {
    std::ifstream in(report(name) / "summary.json");
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
  }
  testutil::TempDir dir_;
};

std::map<std::string, std::uint64_t> hits_of(const json& summary) {
  std::map<std::string, std::uint64_t> out;
  for (const json& c : summary.at("coverage").at("cells")) {
    out[c.at("cell").get<std::string>()] = c.at("hits").get<std::uint64_t>();
  }
  return out;
}

TEST_F(CoverageCli, MergeAddsTheShardsMatrices) {
  const std::string swarm = "swarm --seeds 48 --no-progress --report ";
  ASSERT_EQ(walsim_test::run(swarm + report("s0").string() + " --shard 0/2").code, 0);
  ASSERT_EQ(walsim_test::run(swarm + report("s1").string() + " --shard 1/2").code, 0);
  const walsim_test::Output merged =
      walsim_test::run("merge " + (report("s0") / "summary.json").string() + " " +
                       (report("s1") / "summary.json").string() + " --report " +
                       report("merged").string());
  ASSERT_EQ(merged.code, 0) << merged.out;
  const std::map<std::string, std::uint64_t> s0 = hits_of(summary("s0"));
  const std::map<std::string, std::uint64_t> s1 = hits_of(summary("s1"));
  const std::map<std::string, std::uint64_t> all = hits_of(summary("merged"));
  std::uint64_t total = 0;
  for (const auto& [cell, hits] : all) {
    EXPECT_EQ(hits, (s0.count(cell) ? s0.at(cell) : 0) + (s1.count(cell) ? s1.at(cell) : 0))
        << cell;
    total += hits;
  }
  EXPECT_GT(total, 48u);
  // The unreached cells stay listed, with nothing reached.
  EXPECT_EQ(all.size(), summary("s0").at("coverage").at("cells").size());
  EXPECT_GT(summary("merged").at("coverage").at("listed").get<std::uint64_t>(),
            summary("merged").at("coverage").at("reached").get<std::uint64_t>());
}

TEST_F(CoverageCli, UntilCoveredStopsOnceItsCellsAreReached) {
  const walsim_test::Output o = walsim_test::run(
      "swarm --seeds 5000 --no-progress --until-covered 'crash/append/between-ops/*' --report " +
      report("covered").string());
  ASSERT_EQ(o.code, 0) << o.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(o.out, m, std::regex("all 6 listed cells matching "
                                                     "'crash/append/between-ops/\\*' reached "
                                                     "after ([0-9]+) seeds")))
      << o.out;
  const std::uint64_t ran = std::stoull(m[1]);
  EXPECT_LT(ran, 200u);
  EXPECT_EQ(summary("covered").at("totals").at("runs").get<std::uint64_t>(), ran);
}

TEST_F(CoverageCli, UntilCoveredNamesTheCellsLeftWhenTheSeedsRunOut) {
  const walsim_test::Output o = walsim_test::run(
      "swarm --seeds 16 --no-progress --until-covered 'crash/truncate_front/*' --report " +
      report("left").string());
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("listed cells matching 'crash/truncate_front/*' not reached after 16 "
                       "seeds"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("  crash/truncate_front/"), std::string::npos) << o.out;
  EXPECT_EQ(walsim_test::run("swarm --seeds 16 --until-covered 'crash/nothing/*'").code, 2);
}

// A store's calls are not the WAL's: a target's cells carry its name, and only its run loop's
// positions are listed.
TEST_F(CoverageCli, ATargetsCellsCarryItsName) {
  ASSERT_EQ(walsim_test::run("swarm --target kv --seeds 32 --no-progress --report " +
                             report("kv").string())
                .code,
            0);
  std::size_t listed_crash_cells = 0;
  const json kv = summary("kv");
  for (const json& c : kv.at("coverage").at("cells")) {
    const std::string cell = c.at("cell").get<std::string>();
    if (cell.rfind("crash/", 0) != 0) continue;
    EXPECT_EQ(cell.rfind("crash/kv:", 0), 0u) << cell;
    if (!c.at("listed").get<bool>()) continue;
    ++listed_crash_cells;
    EXPECT_TRUE(cell.find("/between-ops/") != std::string::npos ||
                cell.find("/time/") != std::string::npos)
        << cell;
  }
  EXPECT_GT(listed_crash_cells, 0u);
}

}  // namespace
}  // namespace walsim
