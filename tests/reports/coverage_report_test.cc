// The coverage matrix in the reports (reports/coverage.h): listed cells with the runs that
// reached them, unreached ones explicit, unlisted ones apart; kept by summary.json, marked in
// index.html, counted in summary.md.
#include <gtest/gtest.h>

#include <string>

#include "reports/coverage.h"
#include "reports/run_record.h"
#include "reports/summary_json.h"
#include "reports/writers.h"

namespace reports {
namespace {

RunRecord covered_run(std::uint64_t seed, std::map<std::string, std::uint64_t> coverage) {
  RunRecord r;
  r.scenario = "swarm";
  r.seed = seed;
  r.passed = true;
  r.matched = true;
  r.trace_hash = "0000000000000000";
  r.coverage = std::move(coverage);
  return r;
}

Sweep coverage_sweep() {
  Sweep s;
  s.scenarios.push_back({"swarm", "", "d", "swarm", true, {}, 2});
  s.coverage_cells = {"crash/open/between-ops/torn",   "crash/open/between-ops/prefix",
                      "crash/append/write/torn",       "crash/append/write/prefix",
                      "crash/append/sync_data/torn",   "fault/fsync_eio/absolute",
                      "fault/fsync_eio/point-in-time"};
  s.runs.push_back(
      covered_run(1, {{"crash/append/write/torn", 1}, {"fault/fsync_eio/absolute", 3}}));
  s.runs.push_back(covered_run(2, {{"crash/append/write/torn", 2}, {"crash/read/list/torn", 1}}));
  s.normalize();
  return s;
}

TEST(CoverageReport, ListsEveryCellWithTheRunsThatReachedIt) {
  const CoverageSummary c = summarize_coverage(coverage_sweep());
  EXPECT_EQ(c.listed, 7u);
  EXPECT_EQ(c.reached, 2u);
  EXPECT_EQ(c.crash_listed, 5u);
  EXPECT_EQ(c.crash_reached, 1u);
  EXPECT_EQ(c.fault_listed, 2u);
  EXPECT_EQ(c.fault_reached, 1u);
  EXPECT_EQ(c.unlisted_reached, 1u);
  ASSERT_EQ(c.cells.size(), 8u);
  EXPECT_EQ(c.cells[2].cell, "crash/append/write/torn");
  EXPECT_EQ(c.cells[2].hits, 3u);
  EXPECT_EQ(c.cells[2].runs, 2u);
  EXPECT_EQ(c.cells[3].runs, 0u);  // listed, not reached: still there
  EXPECT_TRUE(c.cells[3].listed);
  EXPECT_EQ(c.cells[7].cell, "crash/read/list/torn");
  EXPECT_FALSE(c.cells[7].listed);
}

TEST(CoverageReport, SummaryJsonKeepsTheListAndEachRunsCells) {
  const Sweep before = coverage_sweep();
  Sweep after;
  std::string error;
  ASSERT_TRUE(read_summary_json(write_summary_json(before, true), after, error)) << error;
  EXPECT_EQ(after.coverage_cells, before.coverage_cells);
  EXPECT_EQ(after.runs, before.runs);
  EXPECT_EQ(write_summary_json(after, true), write_summary_json(before, true));
  const nlohmann::json j = summary_to_json(before);
  EXPECT_EQ(j.at("coverage").at("listed"), 7);
  EXPECT_EQ(j.at("coverage").at("reached"), 2);
  EXPECT_EQ(j.at("coverage").at("cells").size(), 8u);
}

TEST(CoverageReport, TheHtmlMatrixMarksUnreachedCells) {
  const std::string html = write_index_html(coverage_sweep());
  EXPECT_NE(html.find("Coverage: crash sites and faults"), std::string::npos);
  EXPECT_NE(html.find("<table class=\"matrix\">"), std::string::npos);
  EXPECT_NE(html.find("title=\"crash/append/write/prefix: not reached\""), std::string::npos);
  EXPECT_NE(html.find("title=\"crash/append/write/torn: 3 hits in 2 runs\""), std::string::npos);
  EXPECT_NE(html.find("class=\"cov unlisted\" title=\"crash/read/list/torn"), std::string::npos);
  EXPECT_NE(html.find("5 listed cells not reached"), std::string::npos);
  // Columns in the listed order: between-ops, then write, then sync_data.
  const std::size_t between = html.find("<th>between-ops</th>");
  const std::size_t write = html.find("<th>write</th>");
  const std::size_t sync_data = html.find("<th>sync_data</th>");
  EXPECT_LT(between, write);
  EXPECT_LT(write, sync_data);
  EXPECT_NE(sync_data, std::string::npos);
}

TEST(CoverageReport, TheMarkdownSaysHowManyCellsWereReached) {
  EXPECT_NE(write_summary_md(coverage_sweep())
                .find("Coverage: 2 of 7 listed cells reached (crash sites "
                      "1/5, faults x recovery modes 1/2); 1 reached cells "
                      "not listed."),
            std::string::npos);
}

}  // namespace
}  // namespace reports
