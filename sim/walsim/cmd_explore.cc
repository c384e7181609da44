// `walsim explore` (SPEC 6): every crash point x every survival outcome of one seed's workload,
// through harness::explore, for the WAL and every registered target.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>

#include "sim/harness/explore.h"
#include "sim/harness/mutants.h"
#include "sim/walsim/commands.h"
#include "sim/walsim/exit_codes.h"
#include "sim/walsim/isolated.h"
#include "sim/walsim/load_one.h"

namespace walsim {
namespace {

// How the command line named the scenario: its file, or the swarm (its seed drew this one).
std::string input(const Scenario& scenario) {
  if (!scenario.file.empty()) return scenario.file;
  return scenario.mutant ? "--swarm --mutant " + *scenario.mutant : "--swarm";
}

int explore(const Scenario& scenario, std::uint64_t seed, std::uint64_t max_states) {
  // The WAL logs every simulated power cut it meets, once per explored state; the result below
  // says what matters.
  spdlog::set_level(spdlog::level::off);
  std::optional<harness::ScopedMutant> mutant;
  if (scenario.mutant) mutant.emplace(*scenario.mutant);
  const harness::ExploreResult result = harness::explore(scenario.config, seed, max_states);

  fmt::print("scenario:     {} ({})\n", scenario.name, scenario.file);
  fmt::print("seed:         {}\n", seed);
  fmt::print("crash points: {}\n", result.crash_points);
  fmt::print("states:       {} explored, {} failed\n", result.states, result.failed_states);
  fmt::print("plans:        {}\n", result.plans);
  fmt::print("bound:        {}\n",
             result.complete ? fmt::format("complete (under --max-states {})", max_states)
                             : fmt::format("cut short by --max-states {}", max_states));
  if (!result.problem.empty()) fmt::print("problem: {}\n", result.problem);
  if (result.first_failure) {
    const harness::ExploreFailure& f = *result.first_failure;
    fmt::print("FAIL first failing state: crash {} state #{}\n  plan: {}\n  invariants: {}\n",
               f.crash.to_string(), f.state, f.plan, f.checks.summary());
    fmt::print("  repro: walsim explore {} --seed {} --max-states {}\n  ({})\n", input(scenario),
               seed, max_states, f.repro);
  }
  if (result.passed()) {
    fmt::print("verdict:      pass\n");
    return kExitOk;
  }
  fmt::print("verdict:      fail\n");
  return kExitMismatch;
}

}  // namespace

int cmd_explore(const ScenarioSource& source, std::optional<std::uint64_t> seed_arg,
                std::uint64_t max_states) {
  int exit_code = 0;
  const std::optional<Scenario> loaded = load_one(source, exit_code);
  if (!loaded) return exit_code;
  const std::uint64_t seed = seed_arg.value_or(loaded->first_seed);
  const std::optional<Scenario> concrete = concrete_for_seed(*loaded, seed, exit_code);
  if (!concrete) return exit_code;
  const Scenario& scenario = *concrete;
  if (scenario.config.crash.power_loss.policy == faults::CrashPolicy::kProcess) {
    // A process crash leaves one state, the page cache as it was: nothing to enumerate.
    fmt::print(stderr, "walsim explore: crash.policy = \"process\" leaves a single state "
                       "(nothing is lost); explore enumerates power losses: use walsim run\n");
    return kExitUsage;
  }
  // In a child process: a crash state on which the WAL aborts (a WAL_ASSERT in recovery) is a
  // failing verdict with its repro, not walsim dying.
  const ChildOutcome outcome = run_isolated(
      [&] { return std::to_string(explore(scenario, seed, max_states)); }, false);
  if (outcome.completed) return std::stoi(outcome.output);
  fmt::print("scenario:     {} ({})\n", scenario.name, scenario.file);
  fmt::print("seed:         {}\n", seed);
  fmt::print("FAIL {}\n  repro: walsim explore {} --seed {} --max-states {}\n", outcome.death,
             input(scenario), seed, max_states);
  fmt::print("verdict:      fail\n");
  return kExitMismatch;
}

}  // namespace walsim
