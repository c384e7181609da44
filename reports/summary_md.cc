// summary.md: the table and the failures, for a CI job summary ($GITHUB_STEP_SUMMARY).
#include <fmt/format.h>

#include "reports/coverage.h"
#include "reports/escape.h"
#include "reports/writers.h"

namespace reports {

std::string replay_line(const RunRecord& run) {
  if (run.replay_hash.empty()) return "";
  if (run.replay_hash == run.trace_hash) {
    return fmt::format("  Replayed bit for bit (trace hash {}).\n", run.trace_hash);
  }
  return fmt::format("  NOT deterministic: replayed with trace hash {}, first run {}.\n",
                     run.replay_hash, run.trace_hash);
}

std::string write_summary_md(const Sweep& sweep) {
  const std::vector<ScenarioSummary> summaries = summarize(sweep);
  const Totals t = totals(summaries);
  std::string out = "# walsim chaos report\n\n";
  out += fmt::format("**{}**: {} of {} scenarios matched their expected verdict; {} runs "
                     "({} passed, {} failed), {} faults injected, {} crashes, {} crash states "
                     "checked.\n\n",
                     t.ok() ? "OK" : "FAILED", t.scenarios_matched, t.scenarios, t.runs, t.passed,
                     t.failed, t.faults_injected, t.crashes, t.states_explored);
  const CoverageSummary coverage = summarize_coverage(sweep);
  out += fmt::format("Coverage: {} of {} listed cells reached (crash sites {}/{}, faults x "
                     "recovery modes {}/{}){}.\n\n",
                     coverage.reached, coverage.listed, coverage.crash_reached,
                     coverage.crash_listed, coverage.fault_reached, coverage.fault_listed,
                     coverage.unlisted_reached == 0
                         ? ""
                         : fmt::format("; {} reached cells not listed", coverage.unlisted_reached));
  out += "| scenario | expect | runs | passed | failed | faults | crashes | result |\n";
  out += "|---|---|---:|---:|---:|---:|---:|---|\n";
  for (const ScenarioSummary& s : summaries) {
    std::uint64_t faults = 0;
    for (const auto& [kind, count] : s.faults_injected) faults += count;
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(s.info->name),
                       s.info->expect_pass ? "pass" : "fail", s.runs, s.passed, s.failed, faults,
                       s.crashes,
                       std::string(s.matched ? (s.info->expect_pass ? "ok" : "ok (bug caught)")
                                             : "**MISMATCH**") +
                           (s.allowed_losses == 0
                                ? std::string()
                                : fmt::format(", {} allowed loss{}", s.allowed_losses,
                                              s.allowed_losses == 1 ? "" : "es")));
  }
  bool any = false;
  for (const RunRecord& run : sweep.runs) {
    if (run.passed) continue;
    if (!any) out += "\n## Failing seeds\n\n";
    any = true;
    out += fmt::format("- `{}` seed {}{}: {}\n{}{}  `{}`\n", markdown_cell(run.scenario), run.seed,
                       run.matched ? " (expected)" : "", markdown_cell(run.failure),
                       run.diagnosis.empty()
                           ? ""
                           : "  Diagnosis: " + markdown_cell(run.diagnosis) + "\n",
                       replay_line(run), run.repro);
  }
  return out;
}

}  // namespace reports
