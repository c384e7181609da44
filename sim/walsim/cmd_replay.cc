#include <fmt/format.h>

#include "sim/walsim/commands.h"
#include "sim/walsim/diagnose.h"
#include "sim/walsim/exit_codes.h"
#include "sim/walsim/isolated.h"
#include "sim/walsim/load_one.h"
#include "sim/walsim/run_record.h"

namespace walsim {
namespace {

int replay(const Scenario& scenario, std::uint64_t seed, bool print_trace) {
  sim::Trace trace;
  const harness::RunResult result = simulate(scenario, seed, &trace);
  if (print_trace) fmt::print("{}", trace.dump());
  const reports::RunRecord record = make_record(scenario, result, trace, print_trace);
  if (print_trace) {
    fmt::print("\ntimeline ({} events{}; #N is the trace step, as above and in the failure "
               "text):\n",
               record.timeline.size(),
               record.timeline_omitted ? fmt::format(", {} earlier left out", record.timeline_omitted)
                                       : "");
    for (const reports::TimelineEvent& e : record.timeline) {
      fmt::print("  {:>10} us  #{:<6} {:<8} {}{}{}\n", e.time_us, e.step, e.kind, e.label,
                 e.detail.empty() ? "" : "  ", e.detail);
    }
    fmt::print("\nexecuted script:\n{}\n", result.script.describe());
  }
  fmt::print("scenario:   {} ({})\n", scenario.name, scenario.file);
  fmt::print("seed:       {}\n", seed);
  fmt::print("verdict:    {}{}\n", result.passed ? "pass" : "fail",
             result.matched ? "" : fmt::format(" (expected {})",
                                               scenario.config.expect.pass ? "pass" : "fail"));
  fmt::print("trace hash: {:016x} ({} events)\n", result.trace_hash, result.trace_events);
  fmt::print("ops {}, syncs {}, crashes {}, virtual time {} us\n", result.ops, result.syncs,
             result.crashes, result.virtual_time_us);
  for (const auto& [kind, count] : result.faults_injected) {
    fmt::print("fault {}: {}\n", kind, count);
  }
  fmt::print("invariants: {}\n", result.checks.summary());
  for (const std::string& problem : result.problems) fmt::print("problem: {}\n", problem);
  for (const std::string& note : result.notes) fmt::print("note: {}\n", note);
  if (!result.passed) {
    fmt::print("FAIL {}\n", result.failure);
    // Re-runs the seed with its crash state shrunk (crash_diagnosis.h).
    const std::string diagnosis = diagnose(scenario, seed);
    if (!diagnosis.empty()) fmt::print("diagnosis: {}\n", diagnosis);
    fmt::print("  {}\n", record.repro);
  }
  return result.matched ? kExitOk : kExitMismatch;
}

}  // namespace

int cmd_replay(const ScenarioSource& source, std::uint64_t seed, bool print_trace) {
  int exit_code = 0;
  const std::optional<Scenario> loaded = load_one(source, exit_code);
  if (!loaded) return exit_code;
  const Scenario& scenario = *loaded;
  // In a child process, so that a seed on which the system under test aborts (a WAL_ASSERT)
  // is reported as a failing verdict with its repro, not as walsim dying.
  const ChildOutcome outcome = run_isolated(
      [&] { return std::to_string(replay(scenario, seed, print_trace)); }, false);
  if (outcome.completed) return outcome.output == "0" ? kExitOk : kExitMismatch;
  fmt::print("scenario:   {} ({})\n", scenario.name, scenario.file);
  fmt::print("seed:       {}\n", seed);
  fmt::print("verdict:    fail{}\n", scenario.config.expect.pass ? " (expected pass)" : "");
  fmt::print("FAIL {}\n  {}\n", outcome.death, repro_command(scenario, seed));
  return scenario.config.expect.pass ? kExitMismatch : kExitOk;
}

}  // namespace walsim
