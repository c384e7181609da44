// index.html: one self-contained page (inline CSS, inline SVG, no script, no network) with the
// summary table, the charts and, for each failure, its timeline and repro command.
#include <algorithm>

#include <fmt/format.h>

#include "reports/coverage.h"
#include "reports/escape.h"
#include "reports/summary_json.h"
#include "reports/svg_charts.h"
#include "reports/writers.h"

namespace reports {
namespace {

constexpr std::size_t kDetailedFailuresPerScenario = kTimelinesKept;
constexpr std::size_t kListedSeeds = 10;  // more fold into a <details>

constexpr std::string_view kStyle = R"css(
:root { --pass:#1a7f37; --pass-bg:#dafbe1; --fail:#cf222e; --fail-bg:#ffebe9; --zoo:#8250df;
  --zoo-bg:#fbefff; --ink:#1f2328; --muted:#656d76; --line:#d0d7de; --card:#f6f8fa;
  --accent:#0969da; }
* { box-sizing:border-box; }
body { margin:0; font:15px/1.5 -apple-system,"Segoe UI","Noto Sans","DejaVu Sans",Helvetica,Arial,
  sans-serif; color:var(--ink); background:#fff; }
main { max-width:1320px; margin:0 auto; padding:28px 32px 64px; }
h1 { font-size:26px; margin:0 0 4px; letter-spacing:-0.01em; }
h2 { font-size:19px; margin:36px 0 12px; padding-bottom:6px; border-bottom:1px solid var(--line); }
h3 { font-size:16px; margin:0 0 6px; }
.sub { color:var(--muted); margin:0 0 18px; }
code, pre, .mono { font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace; font-size:13px; }
.banner { display:flex; align-items:center; gap:14px; padding:14px 18px; border-radius:10px;
  font-size:17px; font-weight:600; margin-bottom:18px; }
.banner.ok { background:var(--pass-bg); color:var(--pass); border:1px solid #aceebb; }
.banner.bad { background:var(--fail-bg); color:var(--fail); border:1px solid #ffcecb; }
.banner .dot { width:14px; height:14px; border-radius:50%; background:currentColor; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:12px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 16px; }
.card .n { font-size:24px; font-weight:650; }
.card .k { color:var(--muted); font-size:13px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:7px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; text-transform:uppercase; letter-spacing:0.04em; color:var(--muted);
  background:var(--card); position:sticky; top:0; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
tr.mismatch td { background:#fff8f7; }
.desc { color:var(--muted); font-size:13px; max-width:520px; }
.setup { color:var(--muted); font-size:12px; }
.badge { display:inline-block; padding:1px 9px; border-radius:999px; font-size:12px; font-weight:600;
  white-space:nowrap; }
.badge.pass { background:var(--pass-bg); color:var(--pass); }
.badge.fail { background:var(--fail-bg); color:var(--fail); }
.badge.zoo { background:var(--zoo-bg); color:var(--zoo); }
.charts { display:grid; grid-template-columns:repeat(auto-fit,minmax(400px,1fr)); gap:16px; }
.chartbox { border:1px solid var(--line); border-radius:10px; padding:14px 16px; overflow:hidden; }
.chartbox p.note { color:var(--muted); font-size:13px; margin:4px 0 0; }
svg.chart, svg.timeline { width:100%; height:auto; display:block; }
svg text { font-family:inherit; font-size:12px; fill:var(--ink); }
svg text.axis { fill:var(--muted); font-size:11px; }
svg text.value { fill:var(--muted); font-size:11px; }
svg .bar { fill:var(--accent); }
svg .bar.fault { fill:#bc4c00; }
svg .bar.states { fill:#6639ba; }
svg .bar.latency { fill:#1f6feb; }
svg .baseline { stroke:var(--line); stroke-width:1; }
svg .call { fill:#54aeff; }
svg .call.failed { fill:var(--fail); }
svg .fault { fill:#bc4c00; }
svg .crash { stroke:var(--ink); stroke-width:2.5; stroke-dasharray:4 3; }
svg .sync { fill:var(--pass); }
svg .recovery { fill:var(--zoo); }
.failure { border:1px solid #ffcecb; border-left:5px solid var(--fail); border-radius:10px;
  padding:14px 18px; margin:14px 0; }
.failure.expected { border-color:#e7d4ff; border-left-color:var(--zoo); }
.failure .msg { font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace; font-size:13px;
  background:var(--fail-bg); padding:8px 10px; border-radius:6px; white-space:pre-wrap;
  word-break:break-word; }
.failure.expected .msg { background:var(--zoo-bg); }
.repro { display:block; background:#24292f; color:#f6f8fa; padding:8px 12px; border-radius:6px;
  margin:8px 0; overflow-x:auto; white-space:pre; }
.legend { color:var(--muted); font-size:12px; margin:2px 0 8px; }
.legend span { margin-right:14px; }
.legend i { display:inline-block; width:10px; height:10px; margin-right:4px; border-radius:2px;
  vertical-align:-1px; }
details summary { cursor:pointer; color:var(--accent); margin:6px 0; }
table.events td { padding:3px 8px; font-size:13px; }
.scroll { max-height:520px; overflow:auto; border:1px solid var(--line); border-radius:6px; }
table.events tr.failed td { color:var(--fail); }
table.events tr.k-fault td { color:#bc4c00; }
table.events tr.k-crash td { font-weight:650; }
table.events tr.k-fs td { color:var(--muted); }
table.events tr.k-log td { color:#6e40c9; font-style:italic; }
.diagnosis { border-left:3px solid var(--fail); padding:6px 10px; margin:8px 0;
  background:#fff8f7; font-size:14px; }
.failure.expected .diagnosis { border-left-color:var(--zoo); background:var(--zoo-bg); }
dl.key { font-size:12px; color:var(--muted); margin:4px 0 8px; display:grid;
  grid-template-columns:max-content 1fr; gap:2px 10px; }
dl.key dt { font-weight:650; } dl.key dd { margin:0; }
.seeds td { font-size:13px; }
.seeds td.repro-cell code { white-space:nowrap; font-size:12px; }
.banner a { color:inherit; }
.banner .which { font-weight:400; font-size:14px; }
.empty { color:var(--muted); }
footer { margin-top:40px; color:var(--muted); font-size:12px; }
.wide { max-height:none; }
table.matrix { width:auto; }
table.matrix th, table.matrix td { padding:3px 4px; border:1px solid var(--line); text-align:center;
  vertical-align:middle; position:static; white-space:nowrap; }
table.matrix tbody th { text-align:left; text-transform:none; font-size:13px; color:var(--ink);
  font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace; white-space:nowrap; }
table.matrix thead th { font-size:11px; text-transform:none; letter-spacing:0; white-space:nowrap; }
table.matrix td.off { background:repeating-linear-gradient(45deg,#f6f8fa 0 4px,#fff 4px 8px); }
table.matrix td.full { background:var(--pass-bg); }
table.matrix td.part { background:#fff8c5; }
table.matrix td.bare { background:var(--fail-bg); }
table.matrix td.unlisted { background:#fff1e5; }
table.matrix .count { font-size:11px; color:var(--muted); }
.cov { display:inline-block; width:13px; height:13px; margin:0 0.5px; border-radius:3px;
  font:600 10px/13px "DejaVu Sans Mono",Menlo,Consolas,monospace; text-align:center;
  vertical-align:middle; }
.cov.hit { background:var(--pass); color:#fff; }
.cov.miss { background:#fff; color:var(--fail); border:1.5px solid var(--fail); line-height:10px; }
.cov.unlisted { background:#bc4c00; color:#fff; }
.cov.none { background:#eaeef2; }
pre.cells { font-size:12px; max-height:300px; overflow:auto; background:var(--card);
  padding:8px 12px; border-radius:6px; }
)css";

std::uint64_t fault_total(const std::map<std::string, std::uint64_t>& faults) {
  std::uint64_t n = 0;
  for (const auto& [kind, count] : faults) n += count;
  return n;
}

std::string card(std::string_view value, std::string_view key) {
  return fmt::format("<div class=\"card\"><div class=\"n\">{}</div><div class=\"k\">{}</div></div>",
                     value, key);
}

std::string result_badge(const ScenarioSummary& s) {
  if (!s.matched) {
    return s.info->expect_pass ? "<span class=\"badge fail\">FAIL</span>"
                               : "<span class=\"badge fail\">BUG NOT CAUGHT</span>";
  }
  return s.info->expect_pass ? "<span class=\"badge pass\">pass</span>"
                             : "<span class=\"badge zoo\">bug caught</span>";
}

std::string summary_table(const std::vector<ScenarioSummary>& summaries) {
  std::string out =
      "<table class=\"summary\"><thead><tr><th>scenario</th><th>expect</th>"
      "<th class=\"num\">runs</th><th class=\"num\">passed</th><th class=\"num\">failed</th>"
      "<th class=\"num\">faults</th><th class=\"num\">crashes</th><th class=\"num\">p99 append</th>"
      "<th>first failing seed</th><th>result</th></tr></thead><tbody>";
  for (const ScenarioSummary& s : summaries) {
    const ScenarioInfo& info = *s.info;
    out += fmt::format(
        "<tr class=\"{}\"><td><strong>{}</strong><div class=\"desc\">{}</div>"
        "<div class=\"setup mono\">{}</div></td><td>{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
        s.matched ? "" : "mismatch", xml_escape(info.name), xml_escape(info.description),
        xml_escape(info.setup), info.expect_pass ? "pass" : "fail", s.runs, s.passed, s.failed,
        fault_total(s.faults_injected), s.crashes,
        s.append_latency_us.total() ? format_us(s.append_latency_us.quantile_upper(0.99)) : "–",
        s.first_failing_seed
            ? fmt::format("<a href=\"#f-{}-{}\">{}</a>", xml_escape(info.name),
                          *s.first_failing_seed, *s.first_failing_seed)
            : "–",
        result_badge(s));
  }
  return out + "</tbody></table>";
}

std::string fault_and_latency_charts(const std::vector<ScenarioSummary>& summaries) {
  std::map<std::string, std::uint64_t> faults;
  Histogram latency;
  for (const ScenarioSummary& s : summaries) {
    for (const auto& [kind, count] : s.faults_injected) faults[kind] += count;
    latency.merge(s.append_latency_us);
  }
  std::vector<Bar> fault_bars;
  for (const auto& [kind, count] : faults) fault_bars.push_back({kind, count, "fault"});
  std::sort(fault_bars.begin(), fault_bars.end(),
            [](const Bar& a, const Bar& b) { return a.value > b.value; });
  std::string out = "<div class=\"charts\">";
  out += "<div class=\"chartbox\"><h3>Faults injected, by kind</h3>" +
         svg_bar_chart(fault_bars, 600) +
         "<p class=\"note\">Every injected fault is tagged in the trace; an injected error is "
         "never counted as a bug.</p></div>";
  out += fmt::format(
      "<div class=\"chartbox\"><h3>Append latency distribution</h3>{}<p class=\"note\">{} "
      "appends, batches and checkpoints, call to return in virtual time; p50 &lt; {}, p99 &lt; "
      "{}. Policies that return before durability (none, periodic) fill the first buckets."
      "</p></div>",
      svg_latency_histogram(latency, 600, 250), latency.total(),
      format_us(latency.quantile_upper(0.5)), format_us(latency.quantile_upper(0.99)));
  return out + "</div>";
}

std::string crash_states_chart(const std::vector<ScenarioSummary>& summaries) {
  std::vector<Bar> states;
  for (const ScenarioSummary& s : summaries) {
    states.push_back({s.info->name, s.states_explored, "states"});
  }
  return "<div class=\"chartbox\"><h3>Crash states explored, by scenario</h3>" +
         svg_bar_chart(states, 1240) +
         "<p class=\"note\">Post-crash states recovered and checked (a crash during recovery "
         "adds one).</p></div>";
}

// What the timeline's columns and crash rows mean (the report is read by people who did not
// write the simulator).
constexpr const char* kTimelineKey =
    "<dl class=\"key\">"
    "<dt>step</dt><dd>the event's number in the run's trace (#N): the failure text, the "
    "diagnosis and <code>walsim replay --trace</code> count steps the same way</dd>"
    "<dt>call / recovery</dt><dd>a call the harness made on the system under test, and what it "
    "returned</dd>"
    "<dt>fs</dt><dd>a file-system call the system made (open/create, write, sync, sync_dir, "
    "rename, unlink, truncate, ...); consecutive writes to one file are one row with their byte "
    "range and first step</dd>"
    "<dt>log</dt><dd>a line the WAL logged, at virtual time</dd>"
    "<dt>crash</dt><dd>the power loss, then one row per file or directory with writes or "
    "entries not yet durable: <b>durable size</b> what was on disk before; <b>survived</b> "
    "reached the disk whole; <b>lost</b> never reached it; <b>torn</b> only the byte ranges "
    "named reached it; <b>garbage</b> the file grew but the bytes did not arrive; "
    "<b>new entry</b> / <b>removal</b> / <b>rename</b> a directory change (a name made by "
    "create, mkdir or rename) that survived or was lost: without a sync_dir of its directory "
    "it may be lost</dd>"
    "</dl>";

std::string timeline_table(const RunRecord& run) {
  std::string out = "<table class=\"events\"><thead><tr><th class=\"num\">virtual time</th>"
                    "<th class=\"num\">step</th><th>kind</th><th>event</th><th>detail</th>"
                    "</tr></thead><tbody>";
  if (run.timeline_omitted != 0) {
    out += fmt::format("<tr><td colspan=\"5\" class=\"empty\">… {} earlier events left out"
                       "</td></tr>",
                       run.timeline_omitted);
  }
  for (const TimelineEvent& e : run.timeline) {
    out += fmt::format(
        "<tr class=\"k-{}{}\"><td class=\"num mono\">{}</td><td class=\"num mono\">{}</td>"
        "<td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
        xml_escape(e.kind), e.failed ? " failed" : "", format_us(e.time_us), e.step,
        xml_escape(e.kind), xml_escape(e.label), xml_escape(e.detail));
  }
  return out + "</tbody></table>";
}

std::string failure_detail(const RunRecord& run, bool open) {
  std::string out = fmt::format(
      "<div class=\"failure{}\" id=\"f-{}-{}\"><h3>{} — seed {}{}</h3><div class=\"msg\">{}</div>",
      run.matched ? " expected" : "", xml_escape(run.scenario), run.seed, xml_escape(run.scenario),
      run.seed, run.matched ? " (expected: bug zoo)" : "", xml_escape(run.failure));
  if (!run.diagnosis.empty()) {
    out += fmt::format("<div class=\"diagnosis\"><b>Diagnosis:</b> {}</div>",
                       xml_escape(run.diagnosis));
  }
  out += fmt::format("<code class=\"repro\">$ {}</code>", xml_escape(run.repro));
  if (!run.shrunk.empty()) {
    out += fmt::format("<p>Shrunk scenario: <code>{}</code></p>", xml_escape(run.shrunk));
  }
  for (std::size_t i = 1; i < run.violations.size(); ++i) {
    out += fmt::format("<div class=\"msg\">{}</div>", xml_escape(run.violations[i]));
  }
  out += fmt::format("<p class=\"setup\">{} ops, {} syncs, {} crash(es), {} faults injected, "
                     "virtual time {}, trace hash <span class=\"mono\">{}</span></p>",
                     run.ops, run.syncs, run.crashes, fault_total(run.faults_injected),
                     format_us(run.virtual_time_us), run.trace_hash);
  if (!run.timeline.empty()) {
    out += "<div class=\"legend\"><span><i style=\"background:#54aeff\"></i>call</span>"
           "<span><i style=\"background:#cf222e\"></i>failed call</span>"
           "<span><i style=\"background:#bc4c00\"></i>injected fault</span>"
           "<span><i style=\"background:#1a7f37\"></i>sync</span>"
           "<span><i style=\"background:#8250df\"></i>recovery</span>"
           "<span><i style=\"background:#1f2328\"></i>crash</span></div>";
    out += svg_timeline(run.timeline, 1240);
    out += fmt::format("<details{}><summary>timeline: {} events (calls, file-system calls, "
                       "faults, the crash and what it kept)</summary>{}<div class=\"scroll\">{}"
                       "</div></details>",
                       open ? " open=\"open\"" : "", run.timeline.size(), kTimelineKey,
                       timeline_table(run));
  }
  return out + "</div>";
}

std::string failures(const Sweep& sweep, const std::vector<ScenarioSummary>& summaries) {
  std::string out;
  bool first_open = true;
  for (const ScenarioSummary& s : summaries) {
    if (s.failed == 0) continue;
    out += fmt::format("<h2 id=\"s-{0}\">Failures: {0} ({1} of {2} seeds{3})</h2>",
                       xml_escape(s.info->name), s.failed, s.runs,
                       s.info->expect_pass ? "" : ", expected");
    out += "<table class=\"seeds\"><thead><tr><th class=\"num\">seed</th><th>failure</th>"
           "<th>repro</th></tr></thead><tbody>";
    std::size_t listed = 0;
    for (const RunRecord& run : sweep.runs) {
      if (run.file != s.info->file || run.passed) continue;
      if (listed++ == kListedSeeds) {
        out += fmt::format("</tbody></table><details><summary>{} more failing seeds</summary>"
                           "<table class=\"seeds\"><tbody>",
                           s.failed - kListedSeeds);
      }
      out += fmt::format("<tr><td class=\"num mono\">{}</td><td>{}</td>"
                         "<td class=\"repro-cell\"><code>{}</code></td></tr>",
                         run.seed, xml_escape(run.failure), xml_escape(run.repro));
    }
    out += listed > kListedSeeds ? "</tbody></table></details>" : "</tbody></table>";
    std::size_t shown = 0;
    for (const RunRecord& run : sweep.runs) {
      if (run.file != s.info->file || run.passed) continue;
      if (shown++ == kDetailedFailuresPerScenario) break;
      out += failure_detail(run, first_open && !run.matched);
      if (!run.matched) first_open = false;
    }
  }
  return out;
}

}  // namespace

std::string write_index_html(const Sweep& sweep) {
  const std::vector<ScenarioSummary> summaries = summarize(sweep);
  const Totals t = totals(summaries);
  const CoverageSummary coverage = summarize_coverage(sweep);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
                    "<title>walsim chaos report</title><style>";
  out += kStyle;
  out += "</style></head><body><main>";
  out += "<h1>walsim chaos report</h1>";
  out += fmt::format("<p class=\"sub\">The unchanged WAL on a simulated disk: seeded workloads, "
                     "injected faults, power loss, recovery and ten invariants. "
                     "<span class=\"mono\">{}</span></p>",
                     xml_escape(sweep.command));
  const std::uint64_t mismatched = t.scenarios - t.scenarios_matched;
  std::string which;
  for (const ScenarioSummary& s : summaries) {
    if (s.matched) continue;
    which += fmt::format("{}<a href=\"#s-{}\">{}</a>", which.empty() ? "" : ", ",
                         xml_escape(s.info->name), xml_escape(s.info->name));
  }
  out += fmt::format("<div class=\"banner {}\"><span class=\"dot\"></span><span>{}{}</span>"
                     "</div>",
                     t.ok() ? "ok" : "bad",
                     t.ok() ? fmt::format("All {} scenarios matched their expected verdict",
                                          t.scenarios)
                            : fmt::format("{} of {} scenarios did not match their expected "
                                          "verdict",
                                          mismatched, t.scenarios),
                     which.empty() ? "" : "<br/><span class=\"which\">" + which + "</span>");
  out += "<div class=\"cards\">";
  out += card(fmt::format("{}/{}", t.scenarios_matched, t.scenarios), "scenarios matched");
  out += card(fmt::to_string(t.runs), "runs (scenario × seed)");
  out += card(fmt::to_string(t.failed), "failing seeds");
  out += card(fmt::to_string(t.faults_injected), "faults injected");
  out += card(fmt::to_string(t.crashes), "crashes");
  out += card(fmt::to_string(t.states_explored), "crash states checked");
  out += card(fmt::format("{}/{}", coverage.reached, coverage.listed), "coverage cells reached");
  out += card(fmt::format("{:.1f} s", sweep.wall_ms / 1000), "wall time");
  out += "</div>";
  out += "<h2>Faults and latency</h2>" + fault_and_latency_charts(summaries);
  out += "<h2>Scenarios</h2>" + summary_table(summaries);
  out += "<h2 id=\"coverage\">Coverage: crash sites and faults</h2>" +
         coverage_section_html(coverage);
  out += "<h2>Crash states</h2>" + crash_states_chart(summaries);
  const std::string failed = failures(sweep, summaries);
  out += failed.empty() ? "<h2>Failures</h2><p class=\"empty\">No seed failed.</p>" : failed;
  out += fmt::format("<footer>summary.json schema {}{} · generated by walsim</footer>",
                     kSummarySchema,
                     sweep.shards.empty() ? "" : " · merged from shards");
  out += "</main></body></html>\n";
  return out;
}

}  // namespace reports
