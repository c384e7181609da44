#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "reports/coverage.h"
#include "reports/summary_json.h"
#include "reports/writers.h"
#include "sim/walsim/commands.h"
#include "sim/walsim/exit_codes.h"
#include "sim/walsim/scenario_files.h"
#include "sim/walsim/test_abort_hook.h"

namespace walsim {
namespace {

std::uint64_t fault_total(const std::map<std::string, std::uint64_t>& faults) {
  std::uint64_t n = 0;
  for (const auto& [kind, count] : faults) n += count;
  return n;
}

}  // namespace

void print_summary(const reports::Sweep& sweep) {
  const std::vector<reports::ScenarioSummary> summaries = reports::summarize(sweep);
  std::size_t width = 8;
  for (const reports::ScenarioSummary& s : summaries) width = std::max(width, s.info->name.size());
  fmt::print("\n{:<{}}  {:>6}  {:>5}  {:>6}  {:>6}  {:>6}  {:>7}  {}\n", "scenario", width, "expect",
             "runs", "passed", "failed", "faults", "crashes", "result");
  for (const reports::ScenarioSummary& s : summaries) {
    std::string result = s.matched ? (s.info->expect_pass ? "ok" : "ok (bug caught)")
                                   : (s.info->expect_pass ? "FAIL" : "FAIL (bug not caught)");
    if (s.first_failing_seed && s.info->expect_pass) {
      result += fmt::format(", first failing seed {}", *s.first_failing_seed);
    }
    if (s.allowed_losses != 0) {
      result += fmt::format(", {} allowed loss{}", s.allowed_losses,
                            s.allowed_losses == 1 ? "" : "es");
    }
    fmt::print("{:<{}}  {:>6}  {:>5}  {:>6}  {:>6}  {:>6}  {:>7}  {}\n", s.info->name, width,
               s.info->expect_pass ? "pass" : "fail", s.runs, s.passed, s.failed,
               fault_total(s.faults_injected), s.crashes, result);
  }
  const reports::Totals t = reports::totals(summaries);
  // Failure lines: every unexpected failure; for a bug-zoo scenario, its first catch.
  std::size_t printed = 0;
  for (const reports::ScenarioSummary& s : summaries) {
    for (const reports::RunRecord& run : sweep.runs) {
      if (run.file != s.info->file || run.passed) continue;
      if (!s.info->expect_pass && run.seed != s.first_failing_seed) continue;
      if (printed++ == 0) fmt::print("\n");
      fmt::print("{} {} seed {}: {}\n{}  {}{}\n", s.info->expect_pass ? "FAIL" : "CAUGHT",
                 run.scenario, run.seed, run.failure, reports::replay_line(run), run.repro,
                 run.shrunk.empty() ? "" : "\n  shrunk: " + run.shrunk);
    }
    if (!s.matched && !s.info->expect_pass) {
      if (printed++ == 0) fmt::print("\n");
      fmt::print("FAIL {}: expected a failure (bug zoo) but all {} seeds passed\n  walsim run {} "
                 "--seeds {}\n",
                 s.info->name, s.runs, s.info->file, s.info->seeds * 10);
    }
  }
  const reports::CoverageSummary coverage = reports::summarize_coverage(sweep);
  fmt::print("\ncoverage: {}/{} listed cells reached (crash sites {}/{}, faults x recovery "
             "modes {}/{}){}\n",
             coverage.reached, coverage.listed, coverage.crash_reached, coverage.crash_listed,
             coverage.fault_reached, coverage.fault_listed,
             coverage.unlisted_reached == 0
                 ? ""
                 : fmt::format("; {} reached cells not listed", coverage.unlisted_reached));
  fmt::print("\n{}: {}/{} scenarios matched their expected verdict; {} runs ({} passed, {} "
             "failed), {} faults injected, {} crashes; {:.1f} s; one run loop on deterministic "
             "threads for every target, the wal target the unchanged wal::Log\n",
             t.ok() ? "OK" : "FAILED", t.scenarios_matched, t.scenarios, t.runs, t.passed,
             t.failed, t.faults_injected, t.crashes, sweep.wall_ms / 1000);
}

int finish_sweep(const reports::Sweep& sweep, const ReportFolder& report, std::string_view who,
                 bool every_seed) {
  if (!report.dir.empty()) {
    std::string error = reports::write_report(sweep, report.dir, every_seed);
    if (error.empty()) error = point_latest(report);
    if (!error.empty()) {
      fmt::print(stderr, "{}: {}\n", who, error);
      return kExitIo;
    }
    fmt::print("report: {}/index.html (summary.json, junit.xml, summary.md){}\n", report.dir,
               report.link.empty() ? "" : fmt::format("; {} points at it", report.link));
  }
  return reports::totals(reports::summarize(sweep)).ok() ? kExitOk : kExitMismatch;
}

int cmd_run(const RunArgs& args) {
  const LoadedScenarios loaded = load_scenarios(args.paths, true);
  print_scenario_errors(loaded.errors);
  if (!loaded.errors.empty()) return loaded.exit_code;
  std::string error;
  const ReportFolder report = resolve_report_folder(args.report_dir, "run", "latest", error);
  if (!error.empty()) {
    fmt::print(stderr, "walsim: {}\n", error);
    return kExitIo;
  }
  SweepOptions options = args.sweep;
  std::vector<Scenario> scenarios = loaded.scenarios;
  if (args.mutants_off) {
    // The same configuration and environment with the planted bug switched off: every seed
    // must pass (docs/bug-zoo.md).
    for (Scenario& scenario : scenarios) {
      if (!scenario.mutant) continue;
      scenario.mutant.reset();
      scenario.config.expect = harness::ExpectConfig{};
    }
  }
  apply_test_abort_hook(scenarios);
  reports::Sweep sweep = run_sweep(scenarios, options);
  sweep.command = args.command;
  print_summary(sweep);
  return finish_sweep(sweep, report, "walsim", args.full_summary);
}

int cmd_merge(const std::vector<std::string>& results, const std::string& report_dir,
              const std::string& command, bool full_summary) {
  reports::Sweep merged;
  merged.command = command;
  for (const std::string& path : results) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      fmt::print(stderr, "walsim merge: cannot read {}\n", path);
      return kExitIo;
    }
    std::string text;
    char chunk[65536];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;) text.append(chunk, n);
    std::fclose(f);
    reports::Sweep part;
    std::string error;
    if (!reports::read_summary_json(text, part, error)) {
      fmt::print(stderr, "walsim merge: {}: not a walsim summary.json: {}\n", path, error);
      return kExitIo;
    }
    merged.scenarios.insert(merged.scenarios.end(), part.scenarios.begin(), part.scenarios.end());
    merged.runs.insert(merged.runs.end(), part.runs.begin(), part.runs.end());
    merged.shards.insert(merged.shards.end(), part.shards.begin(), part.shards.end());
    merged.coverage_cells.insert(merged.coverage_cells.end(), part.coverage_cells.begin(),
                                 part.coverage_cells.end());
    merged.folded.insert(merged.folded.end(), part.folded.begin(), part.folded.end());
    merged.jobs = std::max(merged.jobs, part.jobs);
    merged.wall_ms = std::max(merged.wall_ms, part.wall_ms);  // shards run side by side
  }
  merged.normalize();
  print_summary(merged);
  return finish_sweep(merged, {report_dir, ""}, "walsim merge", full_summary);
}

}  // namespace walsim
