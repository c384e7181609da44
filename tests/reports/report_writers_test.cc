// The report writers on hand-made sweeps: histogram buckets, summary.json round trip, the
// timeline budget, and escaping in every markup format.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "reports/coverage.h"
#include "reports/escape.h"
#include "reports/run_record.h"
#include "reports/summary_json.h"
#include "reports/writers.h"

namespace reports {
namespace {

RunRecord run(const std::string& name, std::uint64_t seed, bool passed) {
  RunRecord r;
  r.scenario = name;
  r.file = "scenarios/" + name + ".toml";
  r.seed = seed;
  r.passed = passed;
  r.matched = passed;
  r.failure = passed ? "" : "durability: LSN 3 <lost> & \"gone\"";
  r.invariants_checked = {"durability", "prefix"};
  if (!passed) {
    r.invariants_violated = {"durability"};
    r.violations = {r.failure};
    r.timeline = {{10, 5, 1, "call", "append w0 op0", "-> OK", false},
                  {20, 0, 2, "fault", "fsync_eio", "sync_data /wal/1.wal", true},
                  {25, 0, 4, "fs", "write /wal/1.wal", "[0,4096) in 3 calls #4..#6 OK", false},
                  {30, 0, 7, "crash", "power loss", "after 1 ops", false},
                  {30, 0, 8, "crash", "/wal", "new entry /wal/2.wal (#5): lost", false}};
    r.diagnosis = "The power loss dropped the new entry /wal/2.wal (#5) <dir> & \"entry\"";
  }
  r.faults_injected = {{"fsync_eio", passed ? 0u : 1u}};
  r.crashes = 1;
  r.states_explored = 1;
  r.ops = 4;
  r.trace_hash = "00112233445566ff";
  r.append_latency_us.add(0);
  r.append_latency_us.add(700);
  r.repro = "walsim replay " + r.file + " --seed " + std::to_string(seed);
  r.wall_ms = 1.25 * static_cast<double>(seed);
  return r;
}

Sweep sample() {
  Sweep s;
  s.scenarios.push_back({"beta", "scenarios/beta.toml", "hunts <things>", "sync=grouped", true,
                         {}, 6});
  s.scenarios.push_back({"alpha", "scenarios/alpha.toml", "d", "sync=none", false,
                         {"durability"}, 2});
  for (std::uint64_t seed = 6; seed >= 1; --seed) {
    s.runs.push_back(run("beta", seed, seed % 3 != 0 && seed != 1));  // fails 1, 3, 6
  }
  s.runs.push_back(run("alpha", 1, false));
  s.runs.push_back(run("alpha", 2, true));
  s.command = "walsim run scenarios";
  s.wall_ms = 42;
  s.normalize();
  return s;
}

TEST(HistogramTest, PowerOfTwoBuckets) {
  Histogram h;
  h.add(0);
  h.add(1);
  h.add(3);
  h.add(1000, 2);
  EXPECT_EQ(h.counts(), (std::vector<std::uint64_t>{1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 2}));
  EXPECT_EQ(Histogram::bucket_low(10), 512u);
  EXPECT_EQ(Histogram::bucket_high(10), 1024u);
  EXPECT_EQ(h.total(), 5u);
  EXPECT_EQ(h.quantile_upper(0.0), 1u);
  EXPECT_EQ(h.quantile_upper(0.5), 4u);
  EXPECT_EQ(h.quantile_upper(1.0), 1024u);
  Histogram other;
  other.add(2);
  h.merge(other);
  EXPECT_EQ(h.counts()[2], 2u);
}

TEST(SweepTest, NormalizeSortsAndSummarizes) {
  const Sweep s = sample();
  ASSERT_EQ(s.scenarios.size(), 2u);
  EXPECT_EQ(s.scenarios[0].name, "alpha");
  EXPECT_EQ(s.runs.front().file, "scenarios/alpha.toml");
  EXPECT_EQ(s.runs[2].seed, 1u);
  const std::vector<ScenarioSummary> summaries = summarize(s);
  EXPECT_TRUE(summaries[0].matched);  // expect fail, one seed failed
  EXPECT_FALSE(summaries[1].matched);
  EXPECT_EQ(summaries[1].failed, 3u);  // seeds 1, 3, 6
  EXPECT_EQ(summaries[1].first_failing_seed, 1u);
  EXPECT_EQ(summaries[1].invariants_violated.at("durability"), 3u);
  const Totals t = totals(summaries);
  EXPECT_FALSE(t.ok());
  EXPECT_EQ(t.runs, 8u);
  EXPECT_EQ(t.scenarios_matched, 1u);
}

TEST(SweepTest, OnlyTheFirstFailuresKeepTheirTimeline) {
  Sweep s;
  s.scenarios.push_back({"x", "x.toml", "", "", true, {}, 6});
  for (std::uint64_t seed = 1; seed <= 6; ++seed) s.runs.push_back(run("x", seed, seed == 2));
  for (RunRecord& r : s.runs) r.file = "x.toml";
  s.normalize();
  std::vector<std::uint64_t> with_timeline;
  for (const RunRecord& r : s.runs) {
    if (!r.timeline.empty()) with_timeline.push_back(r.seed);
  }
  EXPECT_EQ(with_timeline, (std::vector<std::uint64_t>{1, 3, 4}));
  // The diagnosis goes with the timeline: it is computed only for the runs a report keeps.
  for (const RunRecord& r : s.runs) EXPECT_EQ(r.diagnosis.empty(), r.timeline.empty()) << r.seed;
}

TEST(SummaryJsonTest, RoundTripsExactly) {
  const Sweep s = sample();
  const std::string text = write_summary_json(s, true);
  Sweep back;
  std::string error;
  ASSERT_TRUE(read_summary_json(text, back, error)) << error;
  EXPECT_EQ(back.runs, s.runs);
  EXPECT_EQ(back.scenarios, s.scenarios);
  EXPECT_EQ(write_summary_json(back, true), text);
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j.at("schema"), "walsim-summary/2");
  EXPECT_FALSE(j.at("ok").get<bool>());
  EXPECT_EQ(j.at("totals").at("failed"), 4);
  const nlohmann::json& beta = j.at("scenarios")[1];
  EXPECT_EQ(beta.at("first_failing_seed"), 1);
  EXPECT_EQ(beta.at("expect").at("invariants"), "all");
  EXPECT_EQ(beta.at("results").size(), 6u);
  EXPECT_FALSE(beta.at("results")[0].contains("wall_ms"));  // wall time only under host
  EXPECT_EQ(j.at("host").at("runs").size(), 8u);
}

// The default summary folds passing seeds: what is read back summarizes exactly as the sweep
// it came from (every total, histogram and coverage cell), and folds again to the same text.
TEST(SummaryJsonTest, FoldedPassingRunsSummarizeAsTheRunsDid) {
  Sweep s = sample();
  s.runs[1].coverage = {{"crash/append/write/torn", 2}};  // alpha 2 passes, beta 2 too
  s.runs[1].notes = {"x: allowed loss: 1 of 2 commits", "x: allowed loss: again"};
  s.runs[0].notes = {"x: allowed loss: the failing run's too"};
  s.runs[3].notes = {"a note, no loss"};
  s.runs[3].coverage = {{"crash/append/write/torn", 1}, {"fault/fsync_eio/truncate-tail", 1}};
  s.runs[0].coverage = {{"crash/append/write/torn", 5}};  // alpha 1 fails
  s.coverage_cells = {"crash/append/write/torn", "fault/fsync_eio/truncate-tail"};
  const std::string text = write_summary_json(s);
  Sweep back;
  std::string error;
  ASSERT_TRUE(read_summary_json(text, back, error)) << error;
  for (const RunRecord& r : back.runs) EXPECT_FALSE(r.passed) << r.seed;
  ASSERT_FALSE(back.folded.empty());
  const std::vector<ScenarioSummary> a = summarize(s);
  const std::vector<ScenarioSummary> b = summarize(back);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].runs, b[i].runs);
    EXPECT_EQ(a[i].passed, b[i].passed);
    EXPECT_EQ(a[i].failed, b[i].failed);
    EXPECT_EQ(a[i].first_failing_seed, b[i].first_failing_seed);
    EXPECT_EQ(a[i].faults_injected, b[i].faults_injected);
    EXPECT_EQ(a[i].crashes, b[i].crashes);
    EXPECT_EQ(a[i].ops, b[i].ops);
    EXPECT_EQ(a[i].append_latency_us, b[i].append_latency_us);
    EXPECT_EQ(a[i].allowed_losses, b[i].allowed_losses);
  }
  // One per run that had any (alpha: the failing seed 1 and the passing seed 2).
  EXPECT_EQ(a[0].info->name, "alpha");
  EXPECT_EQ(a[0].allowed_losses, 2u);
  EXPECT_EQ(a[1].allowed_losses, 0u);
  const CoverageSummary ca = summarize_coverage(s);
  const CoverageSummary cb = summarize_coverage(back);
  ASSERT_EQ(ca.cells.size(), cb.cells.size());
  for (std::size_t i = 0; i < ca.cells.size(); ++i) {
    EXPECT_EQ(ca.cells[i].hits, cb.cells[i].hits) << ca.cells[i].cell;
    EXPECT_EQ(ca.cells[i].runs, cb.cells[i].runs) << ca.cells[i].cell;
  }
  EXPECT_EQ(write_summary_json(back), text);
  // The digest depends on every passing seed's trace hash.
  Sweep other = s;
  other.runs[1].trace_hash = "00000000000000ff";
  ASSERT_TRUE(other.runs[1].passed);
  EXPECT_NE(write_summary_json(other), text);
}

TEST(SummaryJsonTest, ReadsVersionOne) {
  nlohmann::json j = nlohmann::json::parse(write_summary_json(sample(), true));
  j["schema"] = "walsim-summary/1";
  for (nlohmann::json& scenario : j.at("scenarios")) scenario.erase("passed_runs");
  Sweep back;
  std::string error;
  ASSERT_TRUE(read_summary_json(j.dump(), back, error)) << error;
  EXPECT_EQ(back.runs, sample().runs);
}

TEST(SummaryJsonTest, RejectsWhatIsNotASummary) {
  Sweep out;
  std::string error;
  EXPECT_FALSE(read_summary_json("{\"schema\": \"other/1\"}", out, error));
  EXPECT_NE(error.find("other/1"), std::string::npos);
  EXPECT_FALSE(read_summary_json("not json", out, error));
  EXPECT_FALSE(read_summary_json("{\"schema\": \"walsim-summary/1\"}", out, error));
}

TEST(JunitTest, OneTestcasePerScenarioAndAFailureForAMismatch) {
  const std::string xml = write_junit_xml(sample());
  std::size_t cases = 0;
  for (std::size_t at = 0; (at = xml.find("<testcase ", at)) != std::string::npos; ++at) ++cases;
  EXPECT_EQ(cases, 2u);
  std::size_t failures = 0;
  for (std::size_t at = 0; (at = xml.find("<failure ", at)) != std::string::npos; ++at) {
    ++failures;
  }
  EXPECT_EQ(failures, 1u);
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<lost>"), std::string::npos);
  EXPECT_NE(xml.find("&lt;lost&gt; &amp; &quot;gone&quot;"), std::string::npos);
  EXPECT_NE(xml.find("walsim replay scenarios/beta.toml --seed 6"), std::string::npos);
  EXPECT_NE(xml.find("diagnosis: The power loss dropped the new entry /wal/2.wal (#5) &lt;dir&gt;"),
            std::string::npos)
      << xml;
}

TEST(MarkdownTest, TableAndFailingSeeds) {
  const std::string md = write_summary_md(sample());
  EXPECT_NE(md.find("| beta | pass | 6 | 3 | 3 |"), std::string::npos) << md;
  EXPECT_NE(md.find("**MISMATCH**"), std::string::npos);
  EXPECT_NE(md.find("`walsim replay scenarios/beta.toml --seed 3`"), std::string::npos) << md;
  EXPECT_NE(md.find("Diagnosis: The power loss dropped the new entry /wal/2.wal"),
            std::string::npos)
      << md;
}

TEST(HtmlTest, EscapesEverythingAndHoldsEveryFailingSeed) {
  Sweep s = sample();
  s.runs[2].failure = "<script>alert(1)</script>";  // beta seed 1, failing
  const std::string html = write_index_html(s);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("hunts &lt;things&gt;"), std::string::npos);
  for (const RunRecord& r : s.runs) {
    if (!r.passed) {
      EXPECT_NE(html.find(r.repro), std::string::npos) << r.seed;
    }
  }
  EXPECT_NE(html.find("<svg class=\"timeline\""), std::string::npos);
  EXPECT_NE(html.find("1 of 2 scenarios did not match"), std::string::npos);
  EXPECT_NE(html.find("<b>Diagnosis:</b> The power loss dropped the new entry /wal/2.wal (#5) "
                      "&lt;dir&gt; &amp; &quot;entry&quot;"),
            std::string::npos);
}

TEST(HtmlTest, TimelineHasFsRowsAndALegendForStepsAndCrashWords) {
  const std::string html = write_index_html(sample());
  EXPECT_NE(html.find("<tr class=\"k-fs\">"), std::string::npos);
  EXPECT_NE(html.find("[0,4096) in 3 calls #4..#6 OK"), std::string::npos);
  EXPECT_NE(html.find("new entry /wal/2.wal (#5): lost"), std::string::npos);
  // The legend says what a step is and what the crash words mean.
  EXPECT_NE(html.find("the event's number in the run's trace"), std::string::npos);
  EXPECT_NE(html.find("<b>torn</b>"), std::string::npos);
  EXPECT_NE(html.find("<b>durable size</b>"), std::string::npos);
}

TEST(EscapeTest, XmlAndMarkdown) {
  EXPECT_EQ(xml_escape("a<b>&\"'\x01"), "a&lt;b&gt;&amp;&quot;&#39;\xEF\xBF\xBD");
  EXPECT_EQ(markdown_cell("a|b\nc"), "a\\|b c");
}

}  // namespace
}  // namespace reports
