// The one scenario a single-seed subcommand (replay, shrink, explore) runs: a scenario file, or
// with --swarm the swarm scenario of `walsim swarm` (scenario_swarm.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/walsim/scenario.h"
#include "sim/walsim/scenario_swarm.h"

namespace walsim {

struct ScenarioSource {
  std::string file;  // "" with swarm
  bool swarm = false;
  std::string target = "wal";          // with swarm
  std::optional<std::string> mutant;   // with swarm
  bool media_faults = false;           // with swarm: --media-faults (swarm_media_faults)
  bool no_media_faults = false;        // with swarm: --no-media-faults
};

// Loaded as this build runs it (test_abort_hook.h applied), its errors printed to stderr;
// nullopt with `exit_code` set (exit_codes.h) when it cannot run.
std::optional<Scenario> load_one(const ScenarioSource& source, int& exit_code);

// The concrete scenario of `seed` (a swarm scenario draws it; any other comes back as it is),
// or nullopt with the error printed and `exit_code` set.
std::optional<Scenario> concrete_for_seed(const Scenario& scenario, std::uint64_t seed,
                                          int& exit_code);

// Each error on stderr, then, when one is about a key, where the key reference is.
void print_scenario_errors(const std::vector<ScenarioError>& errors);

}  // namespace walsim
