#include "sim/walsim/run_record.h"

#include <chrono>

#include <fmt/format.h>

#include "sim/harness/mutants.h"
#include "sim/walsim/commands.h"
#include "sim/walsim/scenario_swarm.h"
#include "sim/walsim/scenario_toml.h"
#include "sim/walsim/trace_reader.h"

namespace walsim {

std::string repro_command(const Scenario& scenario, std::uint64_t seed) {
  if (!scenario.swarm || !scenario.file.empty()) {
    return fmt::format("{} replay {} --seed {}", program_name(), scenario.file, seed);
  }
  std::string out = fmt::format("{} replay --swarm --seed {}", program_name(), seed);
  if (scenario.target != "wal") out += " --target " + scenario.target;
  if (scenario.mutant) out += " --mutant " + *scenario.mutant;
  out += media_faults_flag(scenario.target, scenario.swarm->media_faults);
  return out;
}

reports::ScenarioInfo scenario_info(const Scenario& scenario, std::uint64_t seeds) {
  reports::ScenarioInfo info;
  info.name = scenario.name;
  info.file = scenario.file;
  info.description = scenario.description;
  info.setup = describe_setup(scenario);
  info.expect_pass = scenario.config.expect.pass;
  for (harness::Invariant invariant : scenario.config.expect.invariants) {
    info.expect_invariants.emplace_back(harness::to_string(invariant));
  }
  info.seeds = seeds;
  return info;
}

reports::RunRecord make_record(const Scenario& scenario, const harness::RunResult& result,
                               const sim::Trace& trace, bool with_timeline) {
  reports::RunRecord r;
  r.scenario = scenario.name;
  r.file = scenario.file;
  r.seed = result.seed;
  r.passed = result.passed;
  r.matched = result.matched;
  r.hang = result.hang;
  r.failure = result.failure;
  for (harness::Invariant invariant : result.checks.checked()) {
    r.invariants_checked.emplace_back(harness::to_string(invariant));
  }
  for (harness::Invariant invariant : result.checks.violated()) {
    r.invariants_violated.emplace_back(harness::to_string(invariant));
  }
  for (const harness::Violation& violation : result.checks.violations()) {
    r.violations.push_back(violation.message);
  }
  r.problems = result.problems;
  r.notes = result.notes;
  r.faults_injected = result.faults_injected;
  r.coverage = result.coverage;
  r.crashes = result.crashes;
  // Each crash is one post-crash state recovered and checked (explore counts many per point).
  r.states_explored = result.crashes;
  r.ops = result.ops;
  r.syncs = result.syncs;
  r.steps = result.steps;
  r.virtual_time_us = result.virtual_time_us;
  r.trace_events = result.trace_events;
  r.trace_hash = fmt::format("{:016x}", result.trace_hash);
  r.repro = repro_command(scenario, result.seed);
  TraceReader reader(with_timeline || !result.passed);
  reader.read(trace.events());
  r.append_latency_us = reader.latency;
  if (reader.timeline.size() > kTimelineMax) {
    r.timeline_omitted = reader.timeline.size() - kTimelineMax;
    reader.timeline.erase(reader.timeline.begin(),
                          reader.timeline.begin() + static_cast<std::ptrdiff_t>(r.timeline_omitted));
  }
  r.timeline = std::move(reader.timeline);
  return r;
}

harness::RunResult simulate(const Scenario& scenario, std::uint64_t seed, sim::Trace* trace) {
  std::string error;
  const std::optional<Scenario> concrete = for_seed(scenario, seed, &error);
  if (!concrete) {
    harness::RunResult result;
    result.seed = seed;
    result.failure = error;
    result.problems.push_back(error);
    result.matched = !scenario.config.expect.pass;
    return result;
  }
  std::optional<harness::ScopedMutant> mutant;
  if (concrete->mutant) mutant.emplace(*concrete->mutant);
  harness::RunResult result = harness::run_simulation(concrete->config, seed, trace);
  if (scenario.swarm) result.notes.push_back("swarm configuration: " + describe_setup(*concrete));
  return result;
}

reports::RunRecord run_one(const Scenario& scenario, std::uint64_t seed) {
  const auto start = std::chrono::steady_clock::now();
  sim::Trace trace;
  const harness::RunResult result = simulate(scenario, seed, &trace);
  reports::RunRecord record = make_record(scenario, result, trace);
  record.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                             start)
                       .count();
  return record;
}

}  // namespace walsim
