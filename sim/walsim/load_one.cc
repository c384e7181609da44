#include "sim/walsim/load_one.h"

#include <fmt/format.h>

#include "sim/walsim/exit_codes.h"
#include "sim/walsim/scenario_files.h"
#include "sim/walsim/scenario_swarm.h"
#include "sim/walsim/test_abort_hook.h"

namespace walsim {

void print_scenario_errors(const std::vector<ScenarioError>& errors) {
  bool about_keys = false;
  for (const ScenarioError& e : errors) {
    fmt::print(stderr, "{}\n", e.to_string());
    about_keys = about_keys || e.kind == ErrorKind::kUnknownKey || e.kind == ErrorKind::kType ||
                 e.kind == ErrorKind::kRange || e.kind == ErrorKind::kMissing;
  }
  if (about_keys) {
    fmt::print(stderr, "every key, its type, accepted values and default: docs/scenarios.md "
                       "(or `walsim keys`)\n");
  }
}


std::optional<Scenario> load_one(const ScenarioSource& source, int& exit_code) {
  std::vector<Scenario> scenarios;
  if (source.swarm) {
    SwarmSpace space;
    space.media_faults =
        swarm_media_faults(source.target, source.media_faults, source.no_media_faults);
    Scenario scenario = swarm_scenario(source.target, source.mutant, space);
    if (const std::optional<ScenarioError> error = check_runnable(scenario)) {
      fmt::print(stderr, "walsim: --swarm: {}\n", error->message);
      exit_code = walsim::exit_code(error->kind);
      return std::nullopt;
    }
    scenarios.push_back(std::move(scenario));
  } else {
    LoadedScenarios loaded = load_scenarios({source.file}, true);
    print_scenario_errors(loaded.errors);
    exit_code = loaded.exit_code;
    if (!loaded.errors.empty()) return std::nullopt;
    scenarios = std::move(loaded.scenarios);
  }
  apply_test_abort_hook(scenarios);
  return std::move(scenarios.front());
}

std::optional<Scenario> concrete_for_seed(const Scenario& scenario, std::uint64_t seed,
                                          int& exit_code) {
  std::string error;
  std::optional<Scenario> concrete = for_seed(scenario, seed, &error);
  if (!concrete) {
    fmt::print(stderr, "walsim: {}\n", error);
    exit_code = kExitRange;
  }
  return concrete;
}

}  // namespace walsim
